package netsetup

import (
	"net/netip"
	"strings"
	"testing"
)

func testNetwork6(t *testing.T, subnet6 string) (*Store, *Network) {
	s := &Store{Root: t.TempDir()}
	n, err := New("n6", Config{Subnet: "10.9.0.0/24", Subnet6: subnet6, EnableIPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(held(t), n); err != nil {
		t.Fatal(err)
	}
	return s, n
}

func TestNewIPv6NeedsFlagAndSubnet(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::/64"}, "needs --ipv6"},
		{Config{Subnet: "10.9.0.0/24", EnableIPv6: true}, "needs an IPv6 --subnet"},
		{Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::/127", EnableIPv6: true}, "/126 or larger"},
		{Config{Subnet: "10.9.0.0/24", Subnet6: "10.8.0.0/24", EnableIPv6: true}, "IPv6 CIDR"},
	} {
		if _, err := New("n", c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
	n, err := New("n", Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::5/64", EnableIPv6: true})
	if err != nil || n.Subnet6.String() != "fd00:9::/64" || n.Gateway6.String() != "fd00:9::1" || !n.EnableIPv6 {
		t.Fatalf("dual stack = %+v, %v", n, err)
	}
}

func TestSplitSubnets(t *testing.T) {
	v4, v6, err := SplitSubnets([]string{"fd00:9::/64", "10.9.0.0/24"})
	if err != nil || v4 != "10.9.0.0/24" || v6 != "fd00:9::/64" {
		t.Fatalf("split = %q %q %v", v4, v6, err)
	}
	if _, _, err := SplitSubnets([]string{"fd00:9::/64", "fd00:8::/64"}); err == nil {
		t.Fatal("two IPv6 subnets must be refused")
	}
	if _, _, err := SplitSubnets([]string{"nope"}); err == nil {
		t.Fatal("a bad CIDR must be refused")
	}
}

func TestAllocate6SequentialSkippingAnycastAndGateway(t *testing.T) {
	s, n := testNetwork6(t, "fd00:9::/64")
	a, err := s.Allocate6(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if err != nil || a.String() != "fd00:9::2" {
		t.Fatalf("first = %v, %v", a, err)
	}
	b, _ := s.Allocate6(held(t), n, Holder{ID: "c2", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if b.String() != "fd00:9::3" {
		t.Fatalf("second = %v", b)
	}
	// The IPv4 pool is separate: its leases do not shift the IPv6 one.
	if v4, err := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil); err != nil || v4.String() != "10.9.0.2" {
		t.Fatalf("v4 = %v, %v", v4, err)
	}
	if err := s.ReleaseHolder(held(t), n.Name, "c1"); err != nil {
		t.Fatal(err)
	}
	leases, _ := s.Leases(n.Name)
	if len(leases) != 1 || leases[b].ID != "c2" {
		t.Fatalf("ReleaseHolder must free both families: %v", leases)
	}
	c, _ := s.Allocate6(held(t), n, Holder{ID: "c3", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if c != a {
		t.Fatalf("a released address is reused: got %v", c)
	}
}

func TestAllocate6Fixed(t *testing.T) {
	s, n := testNetwork6(t, "fd00:9::/64")
	want := netip.MustParseAddr("fd00:9::ffff:1234")
	if a, err := s.Allocate6(held(t), n, Holder{ID: "c1", PID: 1}, want, everyoneAlive, nil); err != nil || a != want {
		t.Fatalf("fixed = %v, %v", a, err)
	}
	if _, err := s.Allocate6(held(t), n, Holder{ID: "c2", PID: 1}, want, everyoneAlive, nil); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("taken = %v", err)
	}
	for _, bad := range []string{"fd00:9::", "fd00:9::1", "fd00:8::2"} {
		if _, err := s.Allocate6(held(t), n, Holder{ID: "c2", PID: 1}, netip.MustParseAddr(bad), everyoneAlive, nil); err == nil {
			t.Errorf("%s must be refused", bad)
		}
	}
}

func TestAllocate6SmallSubnetRunsOut(t *testing.T) {
	s, n := testNetwork6(t, "fd00:9::/126") // ::0 anycast, ::1 gateway, ::2, ::3
	for i, want := range []string{"fd00:9::2", "fd00:9::3"} {
		if a, err := s.Allocate6(held(t), n, Holder{ID: "c" + string(rune('a'+i)), PID: 1}, netip.Addr{}, everyoneAlive, nil); err != nil || a.String() != want {
			t.Fatalf("alloc %d = %v, %v", i, a, err)
		}
	}
	if _, err := s.Allocate6(held(t), n, Holder{ID: "cz", PID: 1}, netip.Addr{}, everyoneAlive, nil); err == nil || !strings.Contains(err.Error(), "no free address") {
		t.Fatalf("full = %v", err)
	}
}

func TestAllocate6WithoutIPv6(t *testing.T) {
	s, n := testNetwork(t, "10.9.0.0/24")
	if _, err := s.Allocate6(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil); err == nil {
		t.Fatal("a v4-only network has no IPv6 pool")
	}
}

func TestLastAddr(t *testing.T) {
	for p, want := range map[string]string{"fd00:9::/64": "fd00:9::ffff:ffff:ffff:ffff", "10.9.0.0/24": "10.9.0.255", "fd00::/120": "fd00::ff"} {
		if got := lastAddr(netip.MustParsePrefix(p)); got.String() != want {
			t.Errorf("lastAddr(%s) = %s, want %s", p, got, want)
		}
	}
}

func TestIPv6Gateway(t *testing.T) {
	n, err := New("n", Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::/64", Gateway6: "fd00:9::fe", EnableIPv6: true})
	if err != nil || n.Gateway6.String() != "fd00:9::fe" {
		t.Fatalf("custom IPv6 gateway = %+v, %v", n, err)
	}
	for _, c := range []struct{ cfg Config }{
		{Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::/64", Gateway6: "fd00:8::1", EnableIPv6: true}},
		{Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::/64", Gateway6: "fd00:9::", EnableIPv6: true}},
		{Config{Subnet: "10.9.0.0/24", Gateway6: "fd00:9::1"}},
	} {
		if _, err := New("n", c.cfg); err == nil || !strings.Contains(err.Error(), "invalid gateway") {
			t.Errorf("New(%+v) = %v, want an invalid gateway", c.cfg, err)
		}
	}
	small, err := New("n", Config{Subnet: "10.9.0.0/24", Subnet6: "fd00:9::/125", Gateway6: "fd00:9::5", EnableIPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{Root: t.TempDir()}
	if err := s.Save(held(t), small); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // the whole pool: the gateway is never leased
		a, err := s.Allocate6(held(t), small, Holder{ID: "c" + string(rune('a'+i)), PID: 1}, netip.Addr{}, everyoneAlive, nil)
		if err != nil {
			break
		}
		if a == small.Gateway6 || i > 8 {
			t.Fatalf("lease %d: %s (gateway %s)", i, a, small.Gateway6)
		}
	}
}

func TestSplitGateways(t *testing.T) {
	v4, v6, err := SplitGateways([]string{"fd00::1", "10.0.0.1"})
	if err != nil || v4 != "10.0.0.1" || v6 != "fd00::1" {
		t.Fatalf("SplitGateways = %q %q %v", v4, v6, err)
	}
	if _, _, err := SplitGateways([]string{"10.0.0.1", "10.0.0.2"}); err == nil || !strings.Contains(err.Error(), "one IPv4 and one IPv6 --gateway") {
		t.Fatalf("two IPv4 gateways: %v", err)
	}
	if _, _, err := SplitGateways([]string{"x"}); err == nil {
		t.Fatal("a bad gateway parsed")
	}
}

// CheckAddresses is create's look at a fixed --ip and --ip6: what the
// allocators would refuse, without taking a lease.
func TestCheckAddresses(t *testing.T) {
	_, n := testNetwork6(t, "fd00:9::/64")
	v4, err := NewNetwork("v4", "10.9.1.0/24", "", "")
	if err != nil {
		t.Fatal(err)
	}
	ok, none := netip.MustParseAddr("fd00:9::42"), netip.Addr{}
	if err := n.CheckAddresses(netip.MustParseAddr("10.9.0.7"), ok); err != nil {
		t.Fatalf("good addresses refused: %v", err)
	}
	for _, c := range []struct {
		n          *Network
		ip4, ip6   netip.Addr
		wantInText string
	}{
		{n, none, netip.MustParseAddr("fd00:8::2"), "not a usable address"},
		{n, none, netip.MustParseAddr("fd00:9::1"), "not a usable address"}, // the gateway
		{n, netip.MustParseAddr("10.9.2.7"), none, "not a usable address"},
		{v4, none, ok, "was not created with --ipv6"},
	} {
		if err := c.n.CheckAddresses(c.ip4, c.ip6); err == nil || !strings.Contains(err.Error(), c.wantInText) {
			t.Errorf("CheckAddresses(%s, %v, %v) = %v, want %q", c.n.Name, c.ip4, c.ip6, err, c.wantInText)
		}
	}
	// nothing was leased
	if err := n.CheckAddresses(none, ok); err != nil {
		t.Fatal(err)
	}
}
