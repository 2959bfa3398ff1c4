package state

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// appendEntry must read back as encoding/json's encoding of the same
// entry does, whatever bytes a container writes.
func checkAppendEntry(t *testing.T, s string) {
	t.Helper()
	e := LogEntry{Log: s, Stream: "stdout", Time: time.Date(2026, 12, 3, 12, 0, 0, 123456789, time.UTC)}
	line := appendEntry(nil, e)
	if !bytes.HasSuffix(line, []byte("}\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("%q: not one line: %q", s, line)
	}
	var got, want LogEntry
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("%q: %q does not parse: %v", s, line, err)
	}
	ref, _ := json.Marshal(e)
	json.Unmarshal(ref, &want)
	if got.Log != want.Log || got.Stream != want.Stream || !got.Time.Equal(want.Time) {
		t.Fatalf("%q: read back %+v, encoding/json gives %+v", s, got, want)
	}
}

func TestAppendEntryMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "hello\n", `quote " and \ backslash`, "tab\there\r\n", "\x00\x01\x1f\x7f",
		"<html>&amp;</html>", "caf\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9", "bad \xff\xfe utf-8 \xc3",
		strings.Repeat("x", MaxLogMessage), "\U0001F600 emoji",
	} {
		checkAppendEntry(t, s)
	}
}

func FuzzAppendEntry(f *testing.F) {
	f.Add("hello\n")
	f.Add("\xff\x00\"\\")
	f.Fuzz(func(t *testing.T, s string) { checkAppendEntry(t, s) })
}

// Batched entries reach the file within flushDelay, and all of them at
// Close.
func TestLogWriterFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	w, err := OpenLog(path, LogRotation{MaxFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.Copy("stdout", strings.NewReader("one\ntwo\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if bytes.Count(b, []byte("\n")) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not flushed: %q", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.Copy("stderr", strings.NewReader(strings.Repeat("many\n", 20000)))
	w.Close()
	var n int
	if _, err := ReadLog(path, 0, LogFilter{Tail: -1}, func(LogEntry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 20002 {
		t.Fatalf("read %d entries, want 20002", n)
	}
}
