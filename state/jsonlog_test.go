package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLogRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c-json.log")
	w, err := OpenLog(p)
	if err != nil {
		t.Fatal(err)
	}
	w.Copy("stdout", strings.NewReader("one\ntwo\nlast-no-newline"))
	w.Copy("stderr", strings.NewReader("oops\n"))
	w.Close()
	all, off, err := ReadLog(p, 0, LogFilter{Tail: -1})
	if err != nil || len(all) != 4 {
		t.Fatalf("entries %v %v", all, err)
	}
	if all[0].Log != "one\n" || all[2].Log != "last-no-newline" || all[3].Stream != "stderr" {
		t.Fatalf("entries %+v", all)
	}
	tail, _, _ := ReadLog(p, 0, LogFilter{Tail: 1})
	if len(tail) != 1 || tail[0].Log != "oops\n" {
		t.Fatalf("tail %+v", tail)
	}
	none, _, _ := ReadLog(p, 0, LogFilter{Tail: -1, Since: time.Now().Add(time.Hour)})
	if len(none) != 0 {
		t.Fatal("since filter")
	}
	more, off2, _ := ReadLog(p, off, LogFilter{Tail: -1})
	if len(more) != 0 || off2 != off {
		t.Fatal("reading from the end must give nothing new")
	}
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"log":"half`) // a line still being written
	f.Close()
	more, off3, _ := ReadLog(p, off, LogFilter{Tail: -1})
	if len(more) != 0 || off3 != off {
		t.Fatal("a half-written line must wait")
	}
}
