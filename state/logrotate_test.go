package state

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLogRotation(t *testing.T) {
	for _, c := range []struct {
		cfg  map[string]string
		want LogRotation
		err  string
	}{
		{nil, LogRotation{MaxFiles: 1}, ""},
		{map[string]string{"max-size": "10m"}, LogRotation{MaxSize: 10 << 20, MaxFiles: 1}, ""},
		{map[string]string{"max-size": "1k", "max-file": "3", "compress": "true"}, LogRotation{MaxSize: 1024, MaxFiles: 3, Compress: true}, ""},
		{map[string]string{"max-size": "lots"}, LogRotation{}, "max-size=lots"},
		{map[string]string{"max-file": "3"}, LogRotation{}, "without max-size"},
		{map[string]string{"max-size": "1m", "max-file": "0"}, LogRotation{}, "max-file=0"},
		{map[string]string{"max-size": "1m", "compress": "true"}, LogRotation{}, "max-file is less than 2"},
	} {
		got, err := ParseLogRotation(c.cfg)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: error %v, want %q", c.cfg, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v: %+v, %v; want %+v", c.cfg, got, err, c.want)
		}
	}
}

// writeLines writes n numbered lines through a rotating writer.
func writeLines(t *testing.T, path string, rot LogRotation, from, n int) {
	t.Helper()
	w, err := OpenLog(path, rot)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "line %05d\n", i)
	}
	w.Copy("stdout", strings.NewReader(b.String()))
	w.Close()
}

// Docker's rotation: the files stay under max-size, at most max-file of
// them, named .1 (newest) on; logs reads them all in order, and --tail
// counts across them.
func TestRotationAndReadAcrossFiles(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprint("compress=", compress), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c-json.log")
			rot := LogRotation{MaxSize: 2000, MaxFiles: 3, Compress: compress}
			writeLines(t, path, rot, 0, 200)
			names := rotatedFiles(path)
			if len(names) != 2 {
				t.Fatalf("rotated files %v, want 2", names)
			}
			if compress != strings.HasSuffix(names[0], ".gz") {
				t.Fatalf("rotated files %v, compress %v", names, compress)
			}
			if fi, _ := os.Stat(path); fi.Size() > 2000 {
				t.Fatalf("current log is %d bytes, over max-size", fi.Size())
			}
			var got []string
			r, err := ReadLogFiles(path, LogFilter{Tail: -1}, func(e LogEntry) error { got = append(got, e.Log); return nil })
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			for i := 1; i < len(got); i++ {
				if got[i] <= got[i-1] {
					t.Fatalf("out of order at %d: %q after %q", i, got[i], got[i-1])
				}
			}
			if got[len(got)-1] != "line 00199\n" || len(got) < 30 {
				t.Fatalf("read %d entries ending %q", len(got), got[len(got)-1])
			}
			var tail []string
			r, _ = ReadLogFiles(path, LogFilter{Tail: len(got) - 1}, func(e LogEntry) error { tail = append(tail, e.Log); return nil })
			r.Close()
			if len(tail) != len(got)-1 || tail[0] != got[1] {
				t.Fatalf("tail %d: %d entries, first %q, want %q", len(got)-1, len(tail), tail[0], got[1])
			}
		})
	}
}

// A follower misses nothing when the log rotates under it.
func TestLogReaderFollowsRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	rot := LogRotation{MaxSize: 2000, MaxFiles: 5}
	writeLines(t, path, rot, 0, 10)
	var got []string
	collect := func(e LogEntry) error { got = append(got, e.Log); return nil }
	r, err := ReadLogFiles(path, LogFilter{Tail: -1}, collect)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// ~80 bytes an entry: the first file fills at 25, the rest start a
	// new one. (Two rotations between reads would lose the middle file:
	// logs -f reads every 100 ms.)
	writeLines(t, path, rot, 10, 30)
	if err := r.Next(LogFilter{Tail: -1}, collect); err != nil {
		t.Fatal(err)
	}
	if len(rotatedFiles(path)) != 1 {
		t.Fatalf("rotated %d times, want once", len(rotatedFiles(path)))
	}
	if len(got) != 40 || got[39] != "line 00039\n" {
		t.Fatalf("followed %d entries, last %q", len(got), got[len(got)-1])
	}
	for i, l := range got {
		if l != fmt.Sprintf("line %05d\n", i) {
			t.Fatalf("entry %d is %q", i, l)
		}
	}
}

// With one file the log is emptied in place, and a follower starts again.
func TestRotationOneFileTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	writeLines(t, path, LogRotation{MaxSize: 2000, MaxFiles: 1}, 0, 100)
	if fi, _ := os.Stat(path); fi.Size() > 2000 {
		t.Fatalf("log is %d bytes", fi.Size())
	}
	if len(rotatedFiles(path)) != 0 {
		t.Fatal("rotated files with max-file 1")
	}
}
