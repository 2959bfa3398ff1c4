package netsetup

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A lease file holds "<container id> <pid>". Leases back IP addresses and
// published host ports. A lease is stale once alive says its holder is
// gone, so a crash never blocks an address or a port for good.

// claim takes the lease at p for (id, pid) if it is free, stale, or
// already id's. The caller holds the global lock.
func claim(p, id string, pid int, alive func(id string, pid int) bool) bool {
	if holder, hpid, err := readLease(p); err == nil {
		if holder != id && alive(holder, hpid) {
			return false
		}
		os.Remove(p)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false
	}
	_, err = fmt.Fprintf(f, "%s %d", id, pid)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err == nil
}

func readLease(p string) (string, int, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return "", 0, err
	}
	id, pidStr, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	pid, _ := strconv.Atoi(pidStr)
	return id, pid, nil
}

// unclaim removes the lease at p if id holds it; it is idempotent.
func unclaim(p, id string) error {
	holder, _, err := readLease(p)
	if err != nil || holder != id {
		return nil
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
