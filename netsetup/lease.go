package netsetup

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A lease file holds its Holder as "<container id> <pid> <start> [<root>]"
// (the root last, as a path may hold spaces). Leases
// back IP addresses and published host ports. A lease is stale once alive
// says its holder is gone, so a crash never blocks an address or a port
// for good.

// Holder is who holds a lease: a container, and the process that waits
// on it with that process's start time, so a recycled PID holds nothing.
type Holder struct {
	ID    string
	PID   int
	Start uint64 // clock ticks since boot; 0 when unknown
	Root  string // the container's --root; "" in leases written before host-wide ports
}

// same reports whether a and b name one container: the same ID, under the
// same root when both say theirs.
func (a Holder) same(b Holder) bool {
	return a.ID == b.ID && (a.Root == "" || b.Root == "" || a.Root == b.Root)
}

// Stale is called with the holder of a stale lease before that lease is
// taken over: a holder that died without its teardown may have left port
// rules that would shadow the new holder's, or DNAT to the address it held
// and the new holder now has. It must delete them; on error the lease is
// not taken. nil means nothing to clean.
type Stale func(Holder) error

// claim takes the lease at p for h if it is free, stale, or already h's
// container's; a stale holder is passed to stale first. Its callers hold a
// lock that covers the directory: the global lock for addresses
// (Allocate), the host-wide one for ports. It reports false with a nil
// error when a live holder has the lease.
func claim(p string, h Holder, alive func(Holder) bool, stale Stale) (bool, error) {
	if held, err := readLease(p); err == nil {
		if !held.same(h) {
			if alive(held) {
				return false, nil
			}
			if err := stale.drop(held); err != nil {
				return false, err
			}
		}
		os.Remove(p)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, nil
	}
	_, err = fmt.Fprintf(f, "%s %d %d", h.ID, h.PID, h.Start)
	if err == nil && h.Root != "" {
		_, err = fmt.Fprintf(f, " %s", h.Root)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err == nil, nil
}

// drop runs s for held unless s is nil or held names no container (a
// damaged lease owns no rules).
func (s Stale) drop(held Holder) error {
	if s == nil || held.ID == "" {
		return nil
	}
	return s(held)
}

// damagedLease reports whether the lease at p does not start with
// "<id> <pid> <start>" (a torn write): it names no holder, so anyone may
// remove it.
func damagedLease(p string) bool {
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return true
	}
	_, perr := strconv.Atoi(f[1])
	_, serr := strconv.ParseUint(f[2], 10, 64)
	return perr != nil || serr != nil
}

func readLease(p string) (Holder, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return Holder{}, err
	}
	fields := strings.SplitN(strings.TrimSpace(string(data)), " ", 4)
	var h Holder
	if len(fields) > 0 {
		h.ID = fields[0]
	}
	if len(fields) > 1 {
		h.PID, _ = strconv.Atoi(fields[1])
	}
	if len(fields) > 2 {
		h.Start, _ = strconv.ParseUint(fields[2], 10, 64)
	}
	if len(fields) > 3 {
		h.Root = fields[3]
	}
	return h, nil
}

// unclaim removes the lease at p if h's container holds it, or if it is
// damaged (names no container: a torn write); it is idempotent.
func unclaim(p string, h Holder) error {
	held, err := readLease(p)
	if err != nil || (!held.same(h) && !damagedLease(p)) {
		return nil
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
