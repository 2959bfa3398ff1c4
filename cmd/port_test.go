package cmd

import (
	"reflect"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestPortLinesAsDocker(t *testing.T) {
	ports := state.PortMap{
		{Number: 80, Proto: "tcp"}:   {{HostIP: "0.0.0.0", HostPort: "8080"}, {HostIP: "::", HostPort: "8080"}},
		{Number: 443, Proto: "tcp"}:  {{HostIP: "127.0.0.1", HostPort: "9443"}},
		{Number: 53, Proto: "udp"}:   {{HostIP: "0.0.0.0", HostPort: "5353"}},
		{Number: 8080, Proto: "tcp"}: {},
	}
	want := []string{"53/udp -> 0.0.0.0:5353", "80/tcp -> 0.0.0.0:8080", "80/tcp -> [::]:8080", "443/tcp -> 127.0.0.1:9443"}
	if got := allPortLines(ports); !reflect.DeepEqual(got, want) {
		t.Fatalf("all: got %q, want %q", got, want)
	}
	for arg, want := range map[string][]string{"80": {"0.0.0.0:8080", "[::]:8080"}, "80/tcp": {"0.0.0.0:8080", "[::]:8080"}, "53/udp": {"0.0.0.0:5353"}} {
		if got, err := portLines(ports, arg, "web"); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: got %q, %v; want %q", arg, got, err, want)
		}
	}
	for arg, msg := range map[string]string{
		"53":        "No public port '53' published for web",
		"80/udp":    "No public port '80/udp' published for web",
		"8080":      "No public port '8080' published for web",
		"x":         `invalid port (x): strconv.ParseUint: parsing "x": invalid syntax`,
		"70000/tcp": `invalid port (70000): strconv.ParseUint: parsing "70000": value out of range`,
	} {
		if _, err := portLines(ports, arg, "web"); err == nil || err.Error() != msg {
			t.Fatalf("%s: got %v, want %q", arg, err, msg)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	for _, c := range []struct{ a, b string }{{"9/tcp", "10/tcp"}, {"80/tcp", "80/udp"}, {"a1", "a01x"}, {"", "a"}} {
		if !naturalLess(c.a, c.b) || naturalLess(c.b, c.a) {
			t.Errorf("want %q < %q", c.a, c.b)
		}
	}
}
