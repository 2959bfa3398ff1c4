package netsetup

import (
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func testNetwork(t *testing.T, subnet string) (*Store, *Network) {
	s := &Store{Root: t.TempDir()}
	n, err := NewNetwork("n", subnet, "", "br-test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(held(t), n); err != nil {
		t.Fatal(err)
	}
	return s, n
}

func everyoneAlive(Holder) bool { return true }

func TestAllocateLowestFreeSkippingGateway(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/24")
	a, err := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if err != nil || a.String() != "10.9.0.2" {
		t.Fatalf("first = %v, %v", a, err)
	}
	b, _ := s.Allocate(held(t), n, Holder{ID: "c2", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if b.String() != "10.9.0.3" {
		t.Fatalf("second = %v", b)
	}
	s.Release(held(t), n.Name, a, "c1")
	c, _ := s.Allocate(held(t), n, Holder{ID: "c3", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if c != a {
		t.Fatalf("a released address is reused: got %v", c)
	}
}

func TestAllocateSameContainerIsIdempotent(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/24")
	a, _ := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.MustParseAddr("10.9.0.9"), everyoneAlive, nil)
	b, err := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.MustParseAddr("10.9.0.9"), everyoneAlive, nil)
	if err != nil || a != b {
		t.Fatalf("retry after a crash must succeed: %v %v %v", a, b, err)
	}
}

func TestAllocateExhaustion(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/30") // .1 gateway, .2 the only usable one
	if _, err := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.Allocate(held(t), n, Holder{ID: "c2", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if err == nil || !strings.Contains(err.Error(), "no free address") {
		t.Fatalf("want exhaustion, got %v", err)
	}
}

func TestAllocateReclaimsStaleLease(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/30")
	s.Allocate(held(t), n, Holder{ID: "dead", PID: 42}, netip.Addr{}, everyoneAlive, nil)
	alive := func(h Holder) bool { return h.ID != "dead" }
	a, err := s.Allocate(held(t), n, Holder{ID: "c2", PID: 1}, netip.Addr{}, alive, nil)
	if err != nil || a.String() != "10.9.0.2" {
		t.Fatalf("stale lease must be reclaimed: %v %v", a, err)
	}
	leases, _ := s.Leases(n.Name)
	if leases[a].ID != "c2" || leases[a].PID != 1 {
		t.Fatalf("lease = %+v", leases[a])
	}
}

func TestAllocateFixedAddress(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/24")
	for _, bad := range []string{"10.9.0.1", "10.9.0.0", "10.9.0.255", "10.8.0.5"} {
		if _, err := s.Allocate(held(t), n, Holder{ID: "c", PID: 1}, netip.MustParseAddr(bad), everyoneAlive, nil); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.MustParseAddr("10.9.0.7"), everyoneAlive, nil)
	if _, err := s.Allocate(held(t), n, Holder{ID: "c2", PID: 1}, netip.MustParseAddr("10.9.0.7"), everyoneAlive, nil); err == nil {
		t.Error("a taken fixed address must fail")
	}
}

func TestReleaseOnlyOwnLease(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/24")
	a, _ := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	s.Release(held(t), n.Name, a, "someone-else")
	if leases, _ := s.Leases(n.Name); leases[a].ID != "c1" {
		t.Fatal("released a lease it did not hold")
	}
	if err := s.Release(held(t), n.Name, a, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(held(t), n.Name, a, "c1"); err != nil {
		t.Fatal("release must be idempotent")
	}
}

func TestNewNetworkValidation(t *testing.T) {
	for _, bad := range [][2]string{{"n", "10.0.0.0/31"}, {"n", "fd00::/64"}, {"n", "nonsense"}, {"bad name", "10.0.0.0/24"}} {
		if _, err := NewNetwork(bad[0], bad[1], "", ""); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := NewNetwork("n", "10.0.0.0/24", "10.0.1.1", ""); err == nil {
		t.Error("a gateway outside the subnet must fail")
	}
	n, err := NewNetwork("n", "10.0.0.77/24", "", "")
	if err != nil || n.Subnet.String() != "10.0.0.0/24" || n.Gateway.String() != "10.0.0.1" || len(n.Bridge) > 15 {
		t.Fatalf("%+v %v", n, err)
	}
}

func TestBroadcast(t *testing.T) {
	if b := broadcast(netip.MustParsePrefix("10.1.0.0/16")); b.String() != "10.1.255.255" {
		t.Fatal(b)
	}
}

func TestSaveFinishesHalfMadeNetwork(t *testing.T) {
	s := &Store{Root: t.TempDir()}
	n, _ := NewNetwork("n", "10.9.0.0/24", "", "br-test")
	os.MkdirAll(s.leaseDir("n"), 0o700) // as a crash inside Save leaves it
	if err := s.Save(held(t), n); err != nil {
		t.Fatalf("a half-made network must not block: %v", err)
	}
	if err := s.Save(held(t), n); err == nil {
		t.Fatal("a complete network must not be saved twice")
	}
}

// held is a global lock of the test's own, the token the store's
// guarded steps take.
func held(t *testing.T) *state.Global {
	t.Helper()
	g, err := state.GlobalLock(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Unlock)
	return g
}
