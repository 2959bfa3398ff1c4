package netsetup

import (
	"net/netip"
	"strings"
	"testing"
)

func TestAllocateStaysInIPRange(t *testing.T) {
	n, err := New("r", Config{Subnet: "10.231.0.0/24", IPRange: "10.231.0.128/30"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{Root: t.TempDir()}
	if err := s.Save(held(t), n); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		a, err := s.Allocate(held(t), n, Holder{ID: id, PID: 1}, netip.Addr{}, everyoneAlive, nil)
		if err != nil {
			t.Fatalf("allocate %s: %v", id, err)
		}
		got = append(got, a.String())
	}
	if strings.Join(got, " ") != "10.231.0.128 10.231.0.129 10.231.0.130 10.231.0.131" {
		t.Fatalf("allocated %v", got)
	}
	if _, err := s.Allocate(held(t), n, Holder{ID: "c5", PID: 1}, netip.Addr{}, everyoneAlive, nil); err == nil || !strings.Contains(err.Error(), "10.231.0.128/30") {
		t.Fatalf("a full range: %v", err)
	}
	// A static address may be outside the range, inside the subnet (docker).
	if a, err := s.Allocate(held(t), n, Holder{ID: "c6", PID: 1}, netip.MustParseAddr("10.231.0.9"), everyoneAlive, nil); err != nil || a.String() != "10.231.0.9" {
		t.Fatalf("static = %v, %v", a, err)
	}
}

func TestAllocateRangeSkipsGatewayAndSubnetEdges(t *testing.T) {
	n, err := New("r", Config{Subnet: "10.231.1.0/30", IPRange: "10.231.1.0/30"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{Root: t.TempDir()}
	a, err := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil)
	if err != nil || a.String() != "10.231.1.2" {
		t.Fatalf("first = %v, %v", a, err)
	}
	if _, err := s.Allocate(held(t), n, Holder{ID: "c2", PID: 1}, netip.Addr{}, everyoneAlive, nil); err == nil {
		t.Fatal("the broadcast address was handed out")
	}
}

func TestNewNetworkOptions(t *testing.T) {
	n, err := New("o", Config{Subnet: "10.232.0.0/24", Internal: true, Labels: map[string]string{"a": "b"},
		Options: map[string]string{OptBridgeName: "br-o", OptMasquerade: "0", OptMTU: "1400", OptICC: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Bridge != "br-o" || n.MTU() != 1400 || n.Masquerade() || !n.Internal || n.Labels["a"] != "b" {
		t.Fatalf("network = %+v", n)
	}
	if n.Options[OptMasquerade] != "false" || n.Options[OptBridgeName] != "" {
		t.Fatalf("options = %v", n.Options)
	}
	if d, _ := New("d", Config{Subnet: "10.232.1.0/24"}); d.MTU() != 1500 || !d.Masquerade() || d.Options != nil {
		t.Fatalf("defaults = %+v", d)
	}
	for _, bad := range []Config{
		{Subnet: "10.232.0.0/24", Driver: "overlay"},
		{Subnet: "10.232.0.0/24", IPRange: "10.233.0.0/28"},
		{Subnet: "10.232.0.0/24", IPRange: "10.232.0.0/16"},
		{Subnet: "10.232.0.0/24", IPRange: "junk"},
		{Subnet: "10.232.0.0/24", Options: map[string]string{"com.docker.network.bridge.host_binding_ipv4": "1.2.3.4"}},
		{Subnet: "10.232.0.0/24", Options: map[string]string{OptMTU: "9"}},
		{Subnet: "10.232.0.0/24", Options: map[string]string{OptMasquerade: "maybe"}},
		{Subnet: "10.232.0.0/24", Options: map[string]string{OptICC: "false"}},
	} {
		if _, err := New("x", bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: err = %v, want one line", bad, err)
		}
	}
}
