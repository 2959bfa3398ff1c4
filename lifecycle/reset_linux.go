package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/state"
)

// Reset removes every container (killing running ones), every network
// with its bridge and rules (but a bridge marked as another root's, which
// that root's containers use), and all images: the root is left empty. It
// keeps going past any one failure (a damaged record among them) and
// reports them all at the end.
func (e *Engine) Reset(ctx context.Context) error {
	var errs []error
	ids, err := e.Containers.IDs()
	errs = append(errs, err)
	for _, id := range ids {
		errs = append(errs, e.Remove(ctx, id, true))
	}
	nets, err := e.Networks.List()
	errs = append(errs, err)
	for _, n := range nets {
		errs = append(errs, netsetup.DeleteBridge(n, e.BridgeOwner()))
	}
	errs = append(errs, e.damagedNetworks()...)
	for _, dir := range []string{e.RunRoot, e.Root} {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", dir, err))
		}
	}
	return WithCode(ExitEngine, errors.Join(errs...))
}

// damagedNetworks names the networks whose record cannot be read (List
// skips them): their bridge and rules are not known, so not removed.
func (e *Engine) damagedNetworks() []error {
	entries, _ := os.ReadDir(filepath.Join(e.Root, "networks"))
	var errs []error
	for _, ent := range entries {
		if _, err := e.Networks.Get(ent.Name()); errors.Is(err, state.ErrDamaged) {
			errs = append(errs, fmt.Errorf("network %q: %w: its bridge and rules could not be found: delete them by hand (ip link, nft)", ent.Name(), err))
		}
	}
	return errs
}
