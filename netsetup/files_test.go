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

func TestValidateMode(t *testing.T) {
	if ValidateMode("none") != nil || ValidateMode("host") != nil || ValidateMode("bridge") == nil {
		t.Error("ValidateMode")
	}
}
