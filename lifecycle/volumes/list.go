package volumes

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/rootfs"
)

// VolumeFilter is volume ls --filter, as docker's: values of one key are
// alternatives (any may match), keys all must match, and label=K or
// label=K=V must each match.
type VolumeFilter struct {
	names, drivers []*regexp.Regexp
	labels         []string
	dangling       *bool
}

// ParseVolumeFilter reads KEY=VALUE filters (name, label, dangling,
// driver) with docker's messages.
func ParseVolumeFilter(args []string) (*VolumeFilter, error) {
	f := &VolumeFilter{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return nil, lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("bad format of filter (expected name=value)"))
		}
		if err := f.add(strings.ToLower(strings.TrimSpace(k)), v); err != nil {
			return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
	}
	return f, nil
}

func (f *VolumeFilter) add(k, v string) error {
	switch k {
	case "name", "driver":
		re, err := regexp.Compile(v) // docker's filters.Match: a regular expression
		if err != nil {
			return fmt.Errorf("invalid filter '%s=%s': %w", k, v, err)
		}
		if k == "name" {
			f.names = append(f.names, re)
		} else {
			f.drivers = append(f.drivers, re)
		}
	case "label":
		f.labels = append(f.labels, v)
	case "dangling":
		switch strings.ToLower(v) {
		case "true", "1":
			t := true
			f.dangling = &t
		case "false", "0":
			t := false
			f.dangling = &t
		default:
			return fmt.Errorf("invalid filter 'dangling=%s': want true or false", v)
		}
	default:
		return fmt.Errorf("invalid filter '%s': want name, label, dangling or driver", k)
	}
	return nil
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	return len(res) == 0 || slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// ListVolumes lists the volumes f keeps (nil: all), by name.
func (e *Engine) ListVolumes(f *VolumeFilter) ([]*rootfs.Volume, error) {
	vols, err := e.Volumes.List()
	if err != nil || f == nil {
		return vols, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	var inUse map[string]bool
	if f.dangling != nil {
		if inUse, err = e.usedVolumes(); err != nil {
			return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
	}
	var out []*rootfs.Volume
	for _, v := range vols {
		if anyMatch(f.names, v.Name) && anyMatch(f.drivers, v.Driver) && opts.LabelsMatch(f.labels, v.Labels) &&
			(f.dangling == nil || *f.dangling != inUse[v.Name]) {
			out = append(out, v)
		}
	}
	return out, nil
}

// usedVolumes are the names of the volumes some container names.
func (e *Engine) usedVolumes() (map[string]bool, error) {
	used := map[string]bool{}
	vols, err := e.Volumes.List()
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		ids, err := e.VolumeUserIDs(v.Name)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			used[v.Name] = true
		}
	}
	return used, nil
}
