package netsetup

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

// A host port lease taken over from a dead holder first has that holder's
// rules deleted (review 2a #2: its dnat came first and won); a live or own
// lease deletes nothing, and a failed delete leaves the lease alone.
func TestReservePortsDropsStaleHoldersRules(t *testing.T) {
	dir := t.TempDir()
	port, err := freePort("tcp")
	if err != nil {
		t.Fatal(err)
	}
	dead := Holder{ID: strings.Repeat("d", 64), Root: "/roots/one"}
	newer := Holder{ID: strings.Repeat("e", 64), Root: "/roots/two"}
	on := []PortMapping{{HostIP: "127.0.0.1", HostPort: port, ContainerPort: 80, Proto: "tcp"}}
	var dropped []string
	record := func(h Holder) error { dropped = append(dropped, h.ID); return nil }
	if err := ReservePorts(dir, dead, on, everyoneAlive, record); err != nil {
		t.Fatal(err)
	}
	if err := ReservePorts(dir, dead, on, everyoneAlive, record); err != nil || len(dropped) != 0 {
		t.Fatalf("own lease again: %v, dropped %v", err, dropped)
	}
	alive := func(h Holder) bool { return h.ID != dead.ID }
	failing := func(Holder) error { return errors.New("nft down") }
	if err := ReservePorts(dir, newer, on, alive, failing); err == nil || errors.Is(err, ErrPortInUse) {
		t.Fatalf("a failed rule delete must fail the claim: %v", err)
	}
	if h, _ := readLease(filepath.Join(portDir(dir, on[0]), "127.0.0.1")); h.ID != dead.ID {
		t.Fatalf("lease after a failed takeover = %+v", h)
	}
	// A 0.0.0.0 claim removes the stale 127.0.0.1 lease on its way.
	any := []PortMapping{{HostPort: port, ContainerPort: 80, Proto: "tcp"}}
	if err := ReservePorts(dir, newer, any, alive, record); err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 1 || dropped[0] != dead.ID {
		t.Fatalf("dropped %v, want the dead holder's rules", dropped)
	}
	ReleaseHolderPorts(dir, newer)
}

// An address lease taken over from a dead holder has that holder's rules
// (which DNAT to the address) dropped first, a torn lease's too (the hook
// judges its ID); a failed drop fails the allocation.
func TestAllocateDropsStaleHolder(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/29")
	dead := Holder{ID: "dead", PID: 42}
	s.Allocate(held(t), n, dead, netip.Addr{}, everyoneAlive, nil)
	os.WriteFile(filepath.Join(s.leaseDir(n.Name), "10.9.0.3"), []byte("torn"), 0o600)
	var dropped []string
	record := func(h Holder) error { dropped = append(dropped, h.ID); return nil }
	alive := func(h Holder) bool { return h.ID != "dead" && h.ID != "torn" }
	for _, want := range []string{"10.9.0.2", "10.9.0.3"} {
		a, err := s.Allocate(held(t), n, Holder{ID: "c" + want, PID: 1}, netip.MustParseAddr(want), alive, record)
		if err != nil || a.String() != want {
			t.Fatalf("%s: %v %v", want, a, err)
		}
	}
	if strings.Join(dropped, ",") != "dead,torn" {
		t.Fatalf("dropped %v", dropped)
	}
	_, err := s.Allocate(held(t), n, Holder{ID: "c3", PID: 1}, netip.MustParseAddr("10.9.0.2"), func(Holder) bool { return false }, func(Holder) error { return errors.New("nft down") })
	if err == nil || !strings.Contains(err.Error(), "nft down") {
		t.Fatalf("a failed drop must fail the allocation: %v", err)
	}
}

// Release of a dead holder's lease races an Allocate that takes the lease
// over (review 2a #8): both run under the global lock, so the new
// holder's lease always survives.
func TestReleaseRacesTakeover(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/30")
	root := t.TempDir()
	lock := func() *state.Global {
		g, err := state.GlobalLock(context.Background(), root)
		if err != nil {
			t.Error(err)
		}
		return g
	}
	addr := netip.MustParseAddr("10.9.0.2")
	dead := func(h Holder) bool { return h.ID != "x" }
	for i := 0; i < 300; i++ {
		g := lock()
		s.Allocate(g, n, Holder{ID: "x", PID: 1}, addr, everyoneAlive, nil)
		g.Unlock()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			g := lock()
			defer g.Unlock()
			if _, err := s.Allocate(g, n, Holder{ID: "y", PID: 1}, addr, dead, nil); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			g := lock()
			defer g.Unlock()
			s.Release(g, n.Name, addr, "x")
		}()
		wg.Wait()
		if h, err := readLease(filepath.Join(s.leaseDir(n.Name), addr.String())); err != nil || h.ID != "y" {
			t.Fatalf("round %d: lease %+v %v: the new holder's lease was lost", i, h, err)
		}
		g = lock()
		s.Release(g, n.Name, addr, "y")
		g.Unlock()
	}
}
