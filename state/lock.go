package state

import (
	"context"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// Lock is a held advisory file lock.
type Lock struct{ fl *flock.Flock }

// Unlock releases the lock; it is safe to call on a nil Lock.
func (l *Lock) Unlock() {
	if l != nil && l.fl != nil {
		l.fl.Unlock()
		l.fl.Close()
	}
}

// AcquireLock takes an exclusive flock on path, waiting until ctx is done.
// Waiting polls briefly first so short critical sections cost little.
func AcquireLock(ctx context.Context, path string) (*Lock, error) {
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err == nil && !ok {
		ok, err = fl.TryLockContext(ctx, 2*time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %q: %w", path, ctx.Err())
	}
	return &Lock{fl: fl}, nil
}
