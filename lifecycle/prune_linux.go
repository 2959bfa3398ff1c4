package lifecycle

import (
	"context"
	"errors"

	"github.com/ctr-lite/ctr-lite/state"
)

// PruneContainers removes every container that is not running (nor
// restarting, nor being removed) and that keep does not hold on to; size
// gives a container's reclaimed bytes, read before it goes. It returns
// the removed IDs and the bytes freed; a container that started or went
// meanwhile is skipped.
func (e *Engine) PruneContainers(ctx context.Context, keep func(*state.Container) bool, size func(*state.Container) int64) ([]string, int64, error) {
	all, err := e.Containers.List()
	if err != nil {
		return nil, 0, WithCode(ExitEngine, err)
	}
	var removed []string
	var freed int64
	for _, c := range all {
		if IsRunning(c) || IsRestarting(c) || c.State.Status == state.StatusRemoving || (keep != nil && keep(c)) {
			continue
		}
		n := size(c)
		if err := e.Remove(ctx, c.ID, false); err != nil {
			if now, lerr := e.Containers.Load(c.ID); errors.Is(lerr, state.ErrNotFound) || (lerr == nil && (IsRunning(now) || IsRestarting(now))) {
				continue // removed or started meanwhile
			}
			return removed, freed, err
		}
		removed, freed = append(removed, c.ID), freed+n
	}
	return removed, freed, nil
}
