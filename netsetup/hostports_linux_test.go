package netsetup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Host port leases are keyed by protocol, host IP and port, shared by
// every root: two IPs may publish one port, 0.0.0.0 clashes with any IP,
// a live holder of another root blocks, a dead one is reclaimed.
func TestReservePortsByHostIPAcrossRoots(t *testing.T) {
	dir := t.TempDir()
	port, err := freePort("tcp")
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]bool{}
	alive := func(h Holder) bool { return live[h.Root+"/"+h.ID] }
	a := Holder{ID: strings.Repeat("a", 64), Root: "/roots/one"}
	b := Holder{ID: strings.Repeat("b", 64), Root: "/roots/one"}
	other := Holder{ID: strings.Repeat("c", 64), Root: "/roots/two"}
	for _, h := range []Holder{a, b, other} {
		live[h.Root+"/"+h.ID] = true
	}
	on := func(ip string) []PortMapping {
		return []PortMapping{{HostIP: ip, HostPort: port, ContainerPort: 80, Proto: "tcp"}}
	}
	if err := ReservePorts(dir, a, on("127.0.0.1"), alive, nil); err != nil {
		t.Fatal(err)
	}
	if err := ReservePorts(dir, b, on("127.0.0.2"), alive, nil); err != nil {
		t.Fatalf("another host IP, same port: %v", err)
	}
	err = ReservePorts(dir, other, on("127.0.0.1"), alive, nil)
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "127.0.0.1:") || !strings.Contains(err.Error(), "/roots/one") {
		t.Fatalf("same IP and port from another root: %v", err)
	}
	if err := ReservePorts(dir, other, on(""), alive, nil); !errors.Is(err, ErrPortInUse) {
		t.Fatalf("0.0.0.0 must clash with a specific IP: %v", err)
	}
	if err := ReservePorts(dir, other, []PortMapping{{HostIP: "127.0.0.1", HostPort: port, ContainerPort: 80, Proto: "udp"}}, alive, nil); err != nil {
		t.Fatalf("udp is another port: %v", err)
	}
	ReleasePorts(dir, other, []PortMapping{{HostIP: "127.0.0.1", HostPort: port, Proto: "udp"}})
	live[a.Root+"/"+a.ID] = false // a's holder died: its lease is stale
	ReleasePorts(dir, b, on("127.0.0.2"))
	if err := ReservePorts(dir, other, on(""), alive, nil); err != nil {
		t.Fatalf("a stale lease must be reclaimed: %v", err)
	}
	if err := ReservePorts(dir, b, on("127.0.0.3"), alive, nil); !errors.Is(err, ErrPortInUse) {
		t.Fatalf("a specific IP must clash with 0.0.0.0: %v", err)
	}
	ReleaseHolderPorts(dir, other)
	left, _ := filepath.Glob(filepath.Join(dir, "*-*"))
	if len(left) != 0 {
		t.Fatalf("leases left: %v", left)
	}
}

// -P with an sctp port: a free port is chosen even on a kernel without
// SCTP sockets (main refused sctp outright).
func TestReservePortsSCTP(t *testing.T) {
	dir := t.TempDir()
	h := Holder{ID: strings.Repeat("d", 64), Root: "/r"}
	ports := []PortMapping{{ContainerPort: 132, Proto: "sctp"}, {ContainerPort: 80, Proto: "tcp"}}
	if err := ReservePorts(dir, h, ports, func(Holder) bool { return true }, nil); err != nil {
		t.Fatal(err)
	}
	if ports[0].HostPort == 0 {
		t.Fatal("no host port chosen for sctp")
	}
	if _, err := os.Stat(portDir(dir, ports[0])); err != nil {
		t.Fatal(err)
	}
	ReleasePorts(dir, h, ports)
}
