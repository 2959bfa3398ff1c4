package state

import (
	"context"
	"fmt"
	"path/filepath"
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

// Global is the held global lock of a root, the short lock that guards the
// name index, image references, volumes and network leases. A function
// that must run under it takes a *Global, and only GlobalLock makes one:
// the compiler checks the rule that comments used to state.
type Global struct{ l *Lock }

// GlobalLock takes root's global lock. It is the one place its path is
// built: the container, image and network stores all take it here.
func GlobalLock(ctx context.Context, root string) (*Global, error) {
	l, err := AcquireLock(ctx, filepath.Join(root, "lock"))
	if err != nil {
		return nil, err
	}
	return &Global{l: l}, nil
}

// Unlock releases the global lock; it is safe to call on a nil Global.
func (g *Global) Unlock() {
	if g != nil {
		g.l.Unlock()
	}
}

// ContainerLock is a held container lock. Only LockContainer and LockNew
// make one, and the steps that change what a container owns take it.
type ContainerLock struct {
	l  *Lock
	id string
}

// ID is the container the lock is held for.
func (c *ContainerLock) ID() string { return c.id }

// Unlock releases the container's lock; it is safe to call on nil.
func (c *ContainerLock) Unlock() {
	if c != nil {
		c.l.Unlock()
	}
}
