package monitor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestHandoverRoundTrip(t *testing.T) {
	in := handover{Engine: engineConfig{Root: "/r", RunRoot: "/run/r", Runtime: "/bin/runc", StorageDriver: "vfs"},
		ID: "abc", LogLevel: "DEBUG", Pid: 42, Backoff: 400 * time.Millisecond,
		Files: []handoverFile{{Name: "log", FD: 7}, {Name: "stdout", FD: 8}}}
	out, err := decodeHandover(in.encode())
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != handoverVersion || out.Engine != in.Engine || out.ID != "abc" || out.Pid != 42 ||
		out.Backoff != in.Backoff || out.LogLevel != "DEBUG" || len(out.Files) != 2 || out.Files[1] != in.Files[1] {
		t.Fatalf("round trip: %+v", out)
	}
}

func TestHandoverRefusesOtherVersions(t *testing.T) {
	msg := strings.Replace((&handover{ID: "abc", Engine: engineConfig{Root: "/r", RunRoot: "/run"}}).encode(),
		`"version":1`, `"version":2`, 1)
	_, err := decodeHandover(msg)
	if err == nil || !strings.Contains(err.Error(), "version 2, this binary speaks version 1") {
		t.Fatalf("want a version error, got %v", err)
	}
	for _, bad := range []string{"", "{", `{"version":1}`} {
		if _, err := decodeHandover(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

// handedOver returns a descriptor of its own for a hand-over message to
// name: files takes ownership of what it opens, so a test must never hand
// it a descriptor an *os.File already owns (both would close the number,
// the second under whoever reused it).
func handedOver(t *testing.T) int {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	unix.CloseOnExec(fd)
	return fd
}

func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

func TestHandoverFiles(t *testing.T) {
	h := handover{Files: []handoverFile{{Name: "log", FD: handedOver(t)}}}
	got, err := h.files([]string{"log"}, "pty")
	if err != nil || got["log"] == nil || got["pty"] != nil {
		t.Fatalf("files: %v %v", got, err)
	}
	got["log"].Close()
	h.Files = []handoverFile{{Name: "log", FD: handedOver(t)}}
	if _, err := h.files([]string{"log", "stdout"}); err == nil || !strings.Contains(err.Error(), `no descriptor "stdout"`) {
		t.Fatalf("a missing descriptor: %v", err)
	}
	h.Files = []handoverFile{{Name: "log", FD: 987}}
	if _, err := h.files([]string{"log"}); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Fatalf("a closed descriptor: %v", err)
	}
}

// TestHandoverFilesFailureCloses: a files call that fails closes the
// descriptors it had already opened, at once. Left to the garbage
// collector, each would be closed at some later GC by number, by then
// perhaps another file's: that is how TestHandoverFiles, which once
// handed it a descriptor its own *os.File also owned, closed pipes, pidfds
// and directories under later tests in the same test binary (when it was
// lifecycle's, TestRunExitCodes lost a container's output and failed
// removals with "bad file descriptor").
func TestHandoverFilesFailureCloses(t *testing.T) {
	fd := handedOver(t)
	h := handover{Files: []handoverFile{{Name: "log", FD: fd}}}
	if _, err := h.files([]string{"log", "stdout"}); err == nil {
		t.Fatal("files without a required descriptor succeeded")
	}
	if isOpen(fd) { // not closed here: the leaked *os.File's finalizer will
		t.Fatal("a failed files call left the descriptor it opened to the garbage collector")
	}
}

// Docker's restart manager: 100 ms, doubled up to a minute, reset after
// a run of 10 s.
func TestRestartBackoff(t *testing.T) {
	var d time.Duration
	var got []time.Duration
	for range 12 {
		d = restartBackoff(d, time.Second)
		got = append(got, d)
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delay %d: %v, want %v", i, got[i], want[i]*time.Millisecond)
		}
	}
	if d := restartBackoff(time.Minute, 10*time.Second); d != 100*time.Millisecond {
		t.Fatalf("after a 10 s run: %v, want 100ms", d)
	}
}

func TestMonitorLogIsCapped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "monitor.log")
	w := &cappedFile{path: p, max: 100}
	for range 30 {
		w.Write([]byte("0123456789\n"))
	}
	for _, name := range []string{p, p + ".1"} {
		fi, err := os.Stat(name)
		if err != nil || fi.Size() > 100 {
			t.Fatalf("%s: %v %v", name, fi, err)
		}
	}
}
