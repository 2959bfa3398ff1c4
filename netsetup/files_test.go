package netsetup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	got, err := ParseExtraHosts([]string{"db:10.1.2.3"}, "")
	if err != nil || len(got) != 1 || got[0].IP != "10.1.2.3" || got[0].Names[0] != "db" {
		t.Fatalf("%v %v", got, err)
	}
	got, err = ParseExtraHosts([]string{"gw:host-gateway", "a=10.0.0.9", "v6:[2001:db8::1]"}, "10.9.0.1")
	if err != nil || len(got) != 3 || got[0].IP != "10.9.0.1" || got[1].IP != "10.0.0.9" || got[2].IP != "2001:db8::1" {
		t.Fatalf("%v %v", got, err)
	}
	if got, _ := ParseExtraHosts([]string{"gw:host-gateway"}, ""); len(got) != 0 {
		t.Errorf("host-gateway without a gateway gave %v", got)
	}
	for _, bad := range []string{"db", ":1.2.3.4", "db:notip", ":host-gateway", "=1.2.3.4"} {
		if _, err := ParseExtraHosts([]string{bad}, ""); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Peers joining at once each add their entry and rewrite a shared hosts
// file: the last file must hold every entry, and a reader running all the
// while must never see it empty (main truncated first, then wrote, with no
// lock, and built the content outside any lock).
func TestUpdateInPlaceConcurrent(t *testing.T) {
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts")
	leases := filepath.Join(dir, "leases")
	os.Mkdir(leases, 0o700)
	if err := UpdateInPlace(hosts, func() []byte { return BuildHosts(nil) }); err != nil {
		t.Fatal(err)
	}
	build := func() []byte { // like writeHosts: entries from the leases on disk
		names, _ := os.ReadDir(leases)
		var es []HostEntry
		for _, n := range names {
			es = append(es, HostEntry{IP: "10.1.0.1", Names: []string{n.Name()}})
		}
		return BuildHosts(es)
	}
	stop := make(chan struct{})
	var empty atomic.Int32
	var rd sync.WaitGroup
	rd.Add(1)
	go func() {
		defer rd.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if data, err := os.ReadFile(hosts); err == nil && len(data) == 0 {
				empty.Add(1)
			}
		}
	}()
	const peers = 40
	var wg sync.WaitGroup
	for i := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			os.WriteFile(filepath.Join(leases, fmt.Sprintf("peer%02d", i)), nil, 0o600)
			if err := UpdateInPlace(hosts, build); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	rd.Wait()
	data, _ := os.ReadFile(hosts)
	for i := range peers {
		if !strings.Contains(string(data), fmt.Sprintf("\tpeer%02d\n", i)) {
			t.Errorf("entry peer%02d lost", i)
		}
	}
	if string(data) != string(build()) {
		t.Errorf("torn final file:\n%s", data)
	}
	if n := empty.Load(); n > 0 {
		t.Errorf("a reader saw an empty hosts file %d times", n)
	}
}

// UpdateInPlace keeps the inode: a bind mount of the file sees the update.
func TestUpdateInPlaceKeepsInode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hosts")
	os.WriteFile(p, []byte(strings.Repeat("x", 500)), 0o644)
	before, _ := os.Stat(p)
	if err := UpdateInPlace(p, func() []byte { return []byte("short\n") }); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	data, _ := os.ReadFile(p)
	if !os.SameFile(before, after) || string(data) != "short\n" {
		t.Fatalf("inode kept %v, content %q", os.SameFile(before, after), data)
	}
}
