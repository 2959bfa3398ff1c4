package netsetup

import (
	"reflect"
	"testing"
)

func TestParsePorts(t *testing.T) {
	cases := map[string][]PortMapping{
		"8080:80":           {{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}},
		"80":                {{HostPort: 0, ContainerPort: 80, Proto: "tcp"}},
		"127.0.0.1:8080:80": {{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}},
		"127.0.0.1::80/udp": {{HostIP: "127.0.0.1", ContainerPort: 80, Proto: "udp"}},
		"8000-8001:80-81":   {{HostPort: 8000, ContainerPort: 80, Proto: "tcp"}, {HostPort: 8001, ContainerPort: 81, Proto: "tcp"}},
		"53:53/udp":         {{HostPort: 53, ContainerPort: 53, Proto: "udp"}},
		"9132:132/sctp":     {{HostPort: 9132, ContainerPort: 132, Proto: "sctp"}},
	}
	for in, want := range cases {
		got, err := ParsePorts([]string{in})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParsePorts(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "0", "70000", "80/dccp", "1-2:80", "9-8:9-8", "::1:80:80", "host:80:80", "80:"} {
		if _, err := ParsePorts([]string{bad}); err == nil {
			t.Errorf("ParsePorts(%q) accepted", bad)
		}
	}
}

func TestExposedPorts(t *testing.T) {
	got, err := ExposedPorts(map[string]struct{}{"80/tcp": {}, "53/udp": {}, "132/sctp": {}})
	want := []PortMapping{{ContainerPort: 132, Proto: "sctp"}, {ContainerPort: 53, Proto: "udp"}, {ContainerPort: 80, Proto: "tcp"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v %v", got, err)
	}
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"8080:80", "127.0.0.1::80/udp", "1-3:4-6", "::", "0:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := ParsePorts([]string{s})
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.ContainerPort == 0 || (m.Proto != "tcp" && m.Proto != "udp" && m.Proto != "sctp") {
				t.Fatalf("ParsePorts(%q) gave %+v", s, m)
			}
		}
	})
}
