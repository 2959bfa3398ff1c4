package cmd

// inspect_type.go is inspect --type: the getter for each kind, and
// docker's lookup order (container, image, network, volume) without it.

import (
	"errors"
	"fmt"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// inspectKinds are docker's --type values ctr-lite has, in docker's
// autodetect order.
var inspectKinds = []string{"container", "image", "network", "volume"}

// inspectGetter returns the getter for kind, one of inspectKinds ("" tries
// each kind in turn).
func inspectGetter(e *lifecycle.Engine, kind string) func(string) (any, error) {
	getters := map[string]func(string) (any, error){
		"container": func(ref string) (any, error) { return e.InspectContainer(ref) },
		"image":     func(ref string) (any, error) { return e.InspectImage(ref) },
		"network": func(ref string) (any, error) {
			n, err := e.Networks.Get(ref)
			if err != nil {
				return nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("no such network: %s", ref))
			}
			return networkView(n), nil
		},
		"volume": func(ref string) (any, error) {
			v, err := e.Volumes.Get(ref)
			if err != nil {
				return nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("no such volume: %s", ref))
			}
			return v, nil
		},
	}
	if kind != "" {
		return getters[kind]
	}
	return func(ref string) (any, error) {
		for _, k := range inspectKinds {
			v, err := getters[k](ref)
			if err == nil {
				return v, nil
			}
			if k == "container" && !errors.Is(err, state.ErrNotFound) {
				return nil, err // a damaged record is an error, not "try an image"
			}
		}
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, errors.New("No such object: "+ref)) //nolint:staticcheck // docker's words, which scripts match
	}
}
