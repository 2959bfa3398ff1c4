package netsetup

import (
	"strings"
	"testing"
)

func TestBuildResolvConf(t *testing.T) {
	host := []byte("# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver ::1\nsearch a.example b.example\noptions ndots:2\nsortlist 10.0.0.0\n")
	got := string(BuildResolvConf(host, ResolvOptions{}))
	want := "sortlist 10.0.0.0\nsearch a.example b.example\nnameserver 10.0.0.2\noptions ndots:2\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	got = string(BuildResolvConf(host, ResolvOptions{Nameservers: []string{"1.1.1.1"}, Search: []string{"corp"}, Options: []string{"rotate"}}))
	if !strings.Contains(got, "nameserver 1.1.1.1\n") || strings.Contains(got, "10.0.0.2") || !strings.Contains(got, "search corp\n") || !strings.Contains(got, "options rotate\n") {
		t.Errorf("overrides: %s", got)
	}
}

func TestBuildResolvConfOnlyLoopbackOrMissing(t *testing.T) {
	for _, host := range []string{"nameserver 127.0.0.1\n", ""} {
		got := string(BuildResolvConf([]byte(host), ResolvOptions{}))
		if got != "nameserver 8.8.8.8\nnameserver 8.8.4.4\n" {
			t.Errorf("host %q: got %q", host, got)
		}
	}
}

func TestBuildHosts(t *testing.T) {
	got := string(BuildHosts([]HostEntry{{IP: "10.1.2.3", Names: []string{"db", "db.local"}}}))
	if !strings.HasPrefix(got, "127.0.0.1\tlocalhost\n") || !strings.HasSuffix(got, "10.1.2.3\tdb db.local\n") {
		t.Errorf("got %q", got)
	}
}

func TestValidateModeAndIsBridged(t *testing.T) {
	for _, ok := range []string{"none", "host", "bridge", "backend", "container:web"} {
		if ValidateMode(ok) != nil {
			t.Errorf("%q refused", ok)
		}
	}
	if ValidateMode("container:") == nil || ValidateMode("") == nil {
		t.Error("bad modes accepted")
	}
	if IsBridged("none") || IsBridged("host") || IsBridged("container:x") || !IsBridged("bridge") || !IsBridged("backend") {
		t.Error("IsBridged")
	}
}

func TestParseExtraHosts(t *testing.T) {
	got, err := ParseExtraHosts([]string{"db:10.1.2.3"})
	if err != nil || len(got) != 1 || got[0].IP != "10.1.2.3" || got[0].Names[0] != "db" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"db", ":1.2.3.4", "db:notip"} {
		if _, err := ParseExtraHosts([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
