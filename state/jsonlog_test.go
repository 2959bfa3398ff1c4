package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readAll collects what ReadLog streams.
func readAll(t *testing.T, p string, off int64, f LogFilter) ([]LogEntry, int64) {
	t.Helper()
	var out []LogEntry
	off, err := ReadLog(p, off, f, func(e LogEntry) error { out = append(out, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out, off
}

func TestLogRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c-json.log")
	w, err := OpenLog(p, LogRotation{MaxFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.Copy("stdout", strings.NewReader("one\ntwo\nlast-no-newline"))
	w.Copy("stderr", strings.NewReader("oops\n"))
	w.Close()
	all, off := readAll(t, p, 0, LogFilter{Tail: -1})
	if len(all) != 4 {
		t.Fatalf("entries %v", all)
	}
	if all[0].Log != "one\n" || all[2].Log != "last-no-newline" || all[3].Stream != "stderr" {
		t.Fatalf("entries %+v", all)
	}
	if tail, _ := readAll(t, p, 0, LogFilter{Tail: 1}); len(tail) != 1 || tail[0].Log != "oops\n" {
		t.Fatalf("tail %+v", tail)
	}
	if tail, _ := readAll(t, p, 0, LogFilter{Tail: 3}); len(tail) != 3 || tail[0].Log != "two\n" {
		t.Fatalf("tail 3 %+v", tail)
	}
	if tail, _ := readAll(t, p, 0, LogFilter{Tail: 0}); len(tail) != 0 {
		t.Fatalf("tail 0 %+v", tail)
	}
	if tail, _ := readAll(t, p, 0, LogFilter{Tail: 99}); len(tail) != 4 {
		t.Fatalf("tail 99 %+v", tail)
	}
	if none, _ := readAll(t, p, 0, LogFilter{Tail: -1, Since: time.Now().Add(time.Hour)}); len(none) != 0 {
		t.Fatal("since filter")
	}
	if more, off2 := readAll(t, p, off, LogFilter{Tail: -1}); len(more) != 0 || off2 != off {
		t.Fatal("reading from the end must give nothing new")
	}
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"log":"half`) // a line still being written
	f.Close()
	if more, off3 := readAll(t, p, off, LogFilter{Tail: -1}); len(more) != 0 || off3 != off {
		t.Fatal("a half-written line must wait")
	}
	if tail, _ := readAll(t, p, 0, LogFilter{Tail: 1}); len(tail) != 1 || tail[0].Log != "oops\n" {
		t.Fatalf("tail with a half-written line %+v", tail)
	}
}

// A line longer than MaxLogMessage is split into partial entries, as
// docker's json-file does; only the last ends with a newline, and the
// entries concatenate to the line.
func TestLogSplitsLongLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c-json.log")
	w, err := OpenLog(p, LogRotation{MaxFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 100<<10) + "\n"
	w.Copy("stdout", strings.NewReader(line+"short\n"))
	w.Close()
	all, _ := readAll(t, p, 0, LogFilter{Tail: -1})
	if len(all) != 8 {
		t.Fatalf("got %d entries, want 7 partial + 1", len(all))
	}
	var got strings.Builder
	for i, e := range all[:7] {
		if len(e.Log) > MaxLogMessage {
			t.Fatalf("entry %d has %d bytes", i, len(e.Log))
		}
		if strings.HasSuffix(e.Log, "\n") != (i == 6) {
			t.Fatalf("entry %d: only the last part ends the line", i)
		}
		got.WriteString(e.Log)
	}
	if got.String() != line || all[7].Log != "short\n" {
		t.Fatal("the parts do not reassemble the line")
	}
}
