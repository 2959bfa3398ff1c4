package state

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteFileAtomicReplacesAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	for _, content := range []string{"one", "two"} {
		if err := WriteFileAtomic(p, []byte(content), 0o600, true); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(p)
		if string(got) != content {
			t.Fatalf("got %q, want %q", got, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("want only f.json, got %v", entries)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestWriteFileAtomicErrorKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	WriteFileAtomic(p, []byte("old"), 0o600, false)
	// Renaming a file over a non-empty directory fails: the temp must go.
	target := filepath.Join(dir, "d")
	os.MkdirAll(filepath.Join(target, "x"), 0o700)
	if err := WriteFileAtomic(target, []byte("new"), 0o600, false); err == nil {
		t.Fatal("want error writing over a directory")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("old content lost: %q", got)
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "web-1", "db.2", "A_b"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", ".x", "a/b", "a b", "../x", "é"} {
		if err := ValidateName(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestNewIDAndShortID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := NewID()
		if !ValidID(id) || seen[id] || allDigits(id[:12]) {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	if ShortID("0123456789abcdef") != "0123456789ab" || ShortID("abc") != "abc" {
		t.Fatal("ShortID")
	}
}

func newStore(t *testing.T) *Store {
	s := &Store{Root: t.TempDir()}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	return s
}

// reserve is Store.Reserve under the global lock, as create does it.
func reserve(s *Store, name string) (string, string, error) {
	g, err := s.GlobalLock(context.Background())
	if err != nil {
		return "", "", err
	}
	defer g.Unlock()
	return s.Reserve(g, name, false)
}

func TestReserveUniqueAndRelease(t *testing.T) {
	s := newStore(t)
	id, name, err := reserve(s, "web")
	if err != nil || name != "web" {
		t.Fatal(err)
	}
	_, _, err = reserve(s, "web")
	var inUse *NameInUseError
	if !errors.Is(err, ErrNameInUse) || !errors.As(err, &inUse) || inUse.ID != id {
		t.Fatalf("want name in use by %s, got %v", id, err)
	}
	if err := s.Release(id, "web"); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(id, "web"); err != nil {
		t.Fatal("release must be idempotent:", err)
	}
	if _, _, err := reserve(s, "web"); err != nil {
		t.Fatal("name must be free again:", err)
	}
}

// A name reserved for a durable record is on disk as surely as the
// record (review 2a #11); one for --rm costs no sync.
func TestReserveSyncsNameWhenDurable(t *testing.T) {
	s := newStore(t)
	var synced []string
	syncDir = func(dir string) error { synced = append(synced, dir); return syncDirNow(dir) }
	defer func() { syncDir = syncDirNow }()
	g, err := s.GlobalLock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Unlock()
	if _, _, err := s.Reserve(g, "quick", false); err != nil || len(synced) != 0 {
		t.Fatalf("not durable: err %v, synced %v", err, synced)
	}
	if _, _, err := s.Reserve(g, "kept", true); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(s.Root, "names"), filepath.Join(s.Root, "containers")}
	if !slices.Equal(synced, want) {
		t.Errorf("durable: synced %v, want %v", synced, want)
	}
}

// A record whose name entry is missing (lost in a power loss) is still
// found by its name.
func TestResolveMissingNameEntry(t *testing.T) {
	s := newStore(t)
	id, name, err := reserve(s, "lost")
	if err != nil {
		t.Fatal(err)
	}
	s.Save(&Container{ID: id, Name: name}, false)
	os.Remove(s.namePath("lost"))
	if got, err := s.Resolve("lost"); err != nil || got != id {
		t.Errorf("Resolve(lost) = %q, %v; want %s", got, err, id)
	}
	if _, err := s.Resolve("other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Resolve(other): want not found, got %v", err)
	}
}

func TestReserveRandomName(t *testing.T) {
	s := newStore(t)
	_, name, err := reserve(s, "")
	if err != nil || ValidateName(name) != nil || !strings.Contains(name, "_") {
		t.Fatalf("name %q err %v", name, err)
	}
}

func TestResolve(t *testing.T) {
	s := newStore(t)
	save := func(name string) *Container {
		id, name, err := reserve(s, name)
		if err != nil {
			t.Fatal(err)
		}
		c := &Container{ID: id, Name: name}
		if err := s.Save(c, false); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := save("a"), save("b")
	for ref, want := range map[string]string{a.ID: a.ID, "a": a.ID, "/b": b.ID, b.ID[:10]: b.ID} {
		got, err := s.Resolve(ref)
		if err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	if _, err := s.Resolve("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("want not found, got %v", err)
	}
	if _, err := s.Resolve(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty ref: want not found, got %v", err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v %v", list, err)
	}
}

func TestListSkipsHalfCreated(t *testing.T) {
	s := newStore(t)
	if _, _, err := reserve(s, "half"); err != nil { // dir, no record
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestListNamedReadsOnlyMatchingRecords(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"web-1", "web-2", "db"} {
		id, n, err := reserve(s, name)
		if err != nil {
			t.Fatal(err)
		}
		s.Save(&Container{ID: id, Name: n}, false)
	}
	if _, _, err := reserve(s, "web-half"); err != nil { // reserved, no record
		t.Fatal(err)
	}
	// db's record damaged: a name filter that does not match it never reads it
	dbID := s.nameOwner("db")
	os.WriteFile(s.configPath(dbID), []byte("{not json"), 0o600)
	list, err := s.ListNamed(func(name string) bool { return strings.HasPrefix(name, "web") })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.Name)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"web-1", "web-2"}) {
		t.Fatalf("ListNamed(web*) = %v", got)
	}
	// a crashed rename left two entries, and the one that does not
	// match sorts first: the matching one still finds it
	zeta, _, _ := reserve(s, "zeta")
	s.Save(&Container{ID: zeta, Name: "zeta", OtherName: "alpha"}, false)
	g, _ := s.GlobalLock(context.Background())
	s.AddName(g, "alpha", zeta, false)
	g.Unlock()
	if l, _ := s.ListNamed(func(n string) bool { return n == "zeta" }); len(l) != 1 {
		t.Fatalf("ListNamed(zeta) with a rename's two entries = %d records", len(l))
	}
	// web-2's index entry lost (a power cut): it is still found
	os.Remove(s.namePath("web-2"))
	list, _ = s.ListNamed(func(name string) bool { return strings.HasPrefix(name, "web") })
	got = got[:0]
	for _, c := range list {
		got = append(got, c.Name)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"web-1", "web-2"}) {
		t.Fatalf("ListNamed(web*) without web-2's entry = %v", got)
	}
}

func TestContainerLockExcludesAndSeesRemoval(t *testing.T) {
	s := newStore(t)
	id, name, _ := reserve(s, "x")
	s.Save(&Container{ID: id, Name: name}, false)
	l, err := s.LockContainer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var got error
	wg.Add(1)
	go func() {
		defer wg.Done()
		l2, err := s.LockContainer(context.Background(), id)
		got = err
		l2.Unlock()
	}()
	time.Sleep(30 * time.Millisecond)
	s.Release(id, name) // removed while the other waits
	l.Unlock()
	wg.Wait()
	if !errors.Is(got, ErrNotFound) {
		t.Fatalf("waiter on a removed container: want not found, got %v", got)
	}
}

func TestGlobalLockTimesOut(t *testing.T) {
	s := newStore(t)
	l, err := s.GlobalLock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.GlobalLock(ctx); err == nil {
		t.Fatal("second holder must wait and time out")
	}
}

func TestStatusLine(t *testing.T) {
	now := time.Now()
	st := State{Status: StatusExited, ExitCode: 3, FinishedAt: now.Add(-2 * time.Minute)}
	if got := st.StatusLine(now); got != "Exited (3) 2 minutes ago" {
		t.Fatal(got)
	}
	st = State{Status: StatusRunning, Running: true, StartedAt: now.Add(-3 * time.Second)}
	if got := st.StatusLine(now); got != "Up 3 seconds" {
		t.Fatal(got)
	}
}

func TestLegacyHostConfigUpgrades(t *testing.T) {
	hc := HostConfig{Binds: []string{"/srv:/data:ro", "vol:/v"}, Tmpfs: map[string]string{"/t": "size=1m,exec"},
		SecurityOpt: []string{"no-new-privileges", `seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`}}
	hc.upgrade()
	want := []MountPoint{
		{Type: MountBind, Source: "/srv", Destination: "/data", ReadOnly: true},
		{Type: MountVolume, Source: "vol", Destination: "/v"},
		{Type: MountTmpfs, Source: "tmpfs", Destination: "/t", Options: []string{"rw", "nosuid", "nodev", "size=1m"}},
	}
	if !reflect.DeepEqual(hc.MountPoints, want) {
		t.Errorf("mounts %+v", hc.MountPoints)
	}
	if !hc.NoNewPrivileges || string(hc.SeccompProfile) != `{"defaultAction":"SCMP_ACT_ALLOW"}` {
		t.Errorf("security %+v", hc)
	}
}

func TestPortMapJSONIsDockers(t *testing.T) {
	hc := HostConfig{PortBindings: PortMap{{Number: 80, Proto: "tcp"}: {{HostIP: "127.0.0.1", HostPort: "8080"}}}}
	b, _ := json.Marshal(hc.PortBindings)
	if string(b) != `{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]}` {
		t.Errorf("got %s", b)
	}
	var back PortMap
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, hc.PortBindings) {
		t.Errorf("round trip %+v %v", back, err)
	}
}

func TestNewRecordsAreNotUpgraded(t *testing.T) {
	hc := HostConfig{RecordVersion: CurrentRecordVersion, SecurityOpt: []string{"no-new-privileges=false"}, Binds: []string{"/a:/b"}}
	hc.upgrade()
	if hc.NoNewPrivileges || hc.MountPoints != nil {
		t.Errorf("a current record must be read as written: %+v", hc)
	}
}

// damage writes each kind of broken content over path in turn.
var damages = map[string][]byte{"empty": {}, "truncated": []byte(`{"ID":"ab`), "garbage": {0xff, 0x00, 'x'}, "null": []byte("null")}

func TestLoadDamagedRecord(t *testing.T) {
	for kind, content := range damages {
		s := newStore(t)
		id, name, _ := reserve(s, "d")
		if err := s.Save(&Container{ID: id, Name: name}, true); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.configPath(id), content, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(id); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: Load: want ErrDamaged, got %v", kind, err)
		}
		list, err := s.List()
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: List = %v, %v: a damaged record must be listed", kind, list, err)
		}
		c := list[0]
		if c.ID != id || c.Name != "d" || c.State.Status != StatusDead || c.Damage == nil {
			t.Errorf("%s: listed as %+v, want a dead stand-in named d", kind, c)
		}
		if got, err := s.Resolve("d"); err != nil || got != id {
			t.Errorf("%s: Resolve(d) = %q, %v", kind, got, err)
		}
		if err := s.Release(id, c.Name); err != nil {
			t.Fatal(err)
		}
		if _, _, err := reserve(s, "d"); err != nil {
			t.Errorf("%s: name not free after release: %v", kind, err)
		}
	}
}

func TestLoadDamagedHostConfig(t *testing.T) {
	for kind, content := range damages {
		if kind == "null" {
			continue // decodes to an empty hostconfig, as docker's does
		}
		s := newStore(t)
		id, _, _ := reserve(s, "h")
		os.WriteFile(filepath.Join(s.Dir(id), "hostconfig.json"), content, 0o600)
		if _, err := s.LoadHostConfig(id); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: want ErrDamaged, got %v", kind, err)
		}
	}
}

func TestDamagedNameEntry(t *testing.T) {
	for kind, content := range damages {
		s := newStore(t)
		var warned []string
		s.Warn = func(m string) { warned = append(warned, m) }
		id, name, _ := reserve(s, "n")
		s.Save(&Container{ID: id, Name: name}, false)
		os.WriteFile(s.namePath("n"), content, 0o600)
		if got, err := s.Resolve("n"); err != nil || got != id {
			t.Errorf("%s: Resolve through a damaged entry = %q, %v; want %s", kind, got, err, id)
		}
		if err := s.Release(id, "n"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(s.namePath("n")); err == nil {
			t.Errorf("%s: Release left the damaged name entry", kind)
		}
		// A damaged entry with no container behind it does not hold the name.
		os.WriteFile(s.namePath("n"), content, 0o600)
		if _, _, err := reserve(s, "n"); err != nil {
			t.Errorf("%s: Reserve over a damaged entry: %v", kind, err)
		}
		if len(warned) == 0 {
			t.Errorf("%s: no warning said what was repaired", kind)
		}
	}
}

func TestDurableWriteSyncsAndReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	if err := WriteJSONAtomic(p, map[string]int{"a": 1}, true); err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := ReadJSON(p, &got); err != nil || got["a"] != 1 {
		t.Fatalf("%v %v", got, err)
	}
}

func TestLockHeld(t *testing.T) {
	s := &Store{Root: t.TempDir()}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	if s.LockHeld("nosuch") {
		t.Fatal("a container without a directory has no held lock")
	}
	if err := os.Mkdir(s.Dir("c1"), 0o700); err != nil {
		t.Fatal(err)
	}
	if s.LockHeld("c1") {
		t.Fatal("nobody holds c1's lock yet")
	}
	l, err := s.LockNew(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !s.LockHeld("c1") {
		t.Fatal("c1's lock is held")
	}
	l.Unlock()
	if s.LockHeld("c1") {
		t.Fatal("c1's lock was released")
	}
}
