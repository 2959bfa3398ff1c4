package events

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Concurrent appends with rotation lose no line and split none: every
// event is read back once from events.log.1 and events.log, as long as
// they fit in the two files.
func TestAppendConcurrentRotating(t *testing.T) {
	root := t.TempDir()
	t.Setenv("CTR_LITE_EVENTS_MAX", "8000")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if err := Append(root, Volume(strings.Repeat("v", 20)+string(rune('a'+w))+string(rune('a'+i)), "create")); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, cur, err := ReadAll(root)
	if err != nil {
		t.Fatal(err)
	}
	cur.Close()
	if _, err := os.Stat(filepath.Join(root, File+".1")); err != nil {
		t.Fatalf("no rotation: %v", err)
	}
	if len(got) != 80 {
		t.Fatalf("read %d events, want 80", len(got))
	}
}

func TestLineAndFilter(t *testing.T) {
	m := Container("abc123", "web", "busybox", map[string]string{"team": "a"}, "die", "exitCode", "3")
	m.TimeNano = time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC).UnixNano()
	line := m.Line()
	if !strings.HasSuffix(line, " container die abc123 (exitCode=3, image=busybox, name=web, team=a)") {
		t.Fatalf("line %q", line)
	}
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"event=die"}, true}, {[]string{"event=start"}, false},
		{[]string{"event=start", "event=die"}, true}, {[]string{"container=web", "type=container"}, true},
		{[]string{"container=abc"}, true}, {[]string{"image=busybox"}, true}, {[]string{"label=team=a"}, true},
		{[]string{"label=team=b"}, false}, {[]string{"type=image"}, false},
	} {
		f, err := ParseFilter(c.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(m); got != c.want {
			t.Errorf("%v: %v, want %v", c.args, got, c.want)
		}
	}
	if _, err := ParseFilter([]string{"bogus=1"}); err == nil {
		t.Error("bogus filter accepted")
	}
}

// event=exec_start matches docker's "exec_start: CMD" actions, as the
// whole action does; exec_die is not matched by exec.
func TestFilterActionWithCommand(t *testing.T) {
	m := Container("abc123", "web", "busybox", nil, "exec_start: sh -c true", "execID", "e1")
	for arg, want := range map[string]bool{"event=exec_start": true, "event=exec_start: sh -c true": true,
		"event=exec_create": false, "event=exec": false} {
		f, err := ParseFilter([]string{arg})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(m); got != want {
			t.Errorf("%s: %v, want %v", arg, got, want)
		}
	}
}

// A rotation between ReadAll and Follow loses nothing: Follow goes on in
// the file ReadAll read (now events.log.1), then reads the new file from
// its start (review 11a, M6: it used to seek the new file to the old
// file's offset and skip its first events).
func TestFollowAcrossRotationAfterReadAll(t *testing.T) {
	root := t.TempDir()
	t.Setenv("CTR_LITE_EVENTS_MAX", "4000")
	name := func(i int) string {
		return "vol" + strings.Repeat("x", 10) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for i := range 5 {
		if err := Append(root, Volume(name(i), "create")); err != nil {
			t.Fatal(err)
		}
	}
	past, cur, err := ReadAll(root)
	if err != nil || len(past) != 5 {
		t.Fatalf("ReadAll: %d events, %v", len(past), err)
	}
	// 4000 bytes hold 24 events: the next 19 land in the file ReadAll
	// read, the 25th rotates it and starts the new one.
	for i := 5; i < 25; i++ {

		if err := Append(root, Volume(name(i), "create")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, File+".1")); err != nil {
		t.Fatalf("no rotation: %v", err)
	}
	var got []string
	stop := make(chan struct{})
	time.AfterFunc(5*time.Second, func() { close(stop) }) // a failure ends, not hangs
	err = Follow(root, cur, time.Millisecond, stop, func(m Message) bool {
		got = append(got, m.Actor.ID)
		return len(got) < 20
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range got {
		if id != name(i+5) {
			t.Fatalf("event %d is %q, want %q (got %v)", i, id, name(i+5), got)
		}
	}
}
