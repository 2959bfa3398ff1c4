package netsetup

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A lease file holds its Holder as "<container id> <pid> <start>". Leases
// back IP addresses and published host ports. A lease is stale once alive
// says its holder is gone, so a crash never blocks an address or a port
// for good.

// Holder is who holds a lease: a container, and the process that waits
// on it with that process's start time, so a recycled PID holds nothing.
type Holder struct {
	ID    string
	PID   int
	Start uint64 // clock ticks since boot; 0 when unknown
}

// claim takes the lease at p for h if it is free, stale, or already h's
// container's. The caller holds the global lock.
func claim(p string, h Holder, alive func(Holder) bool) bool {
	if held, err := readLease(p); err == nil {
		if held.ID != h.ID && alive(held) {
			return false
		}
		os.Remove(p)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false
	}
	_, err = fmt.Fprintf(f, "%s %d %d", h.ID, h.PID, h.Start)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err == nil
}

func readLease(p string) (Holder, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return Holder{}, err
	}
	fields := strings.Fields(string(data))
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
	return h, nil
}

// unclaim removes the lease at p if container id holds it; it is
// idempotent.
func unclaim(p, id string) error {
	held, err := readLease(p)
	if err != nil || held.ID != id {
		return nil
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
