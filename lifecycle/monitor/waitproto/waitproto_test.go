package waitproto

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	m := &Message{ID: "abc", Root: "/var/lib/x y", RunRoot: "/run/\"q\"", Runtime: "/bin/runc", LogLevel: "warn",
		Pid: 42, Backoff: 200 * time.Millisecond, SdNotify: "conmon", Driver: "json-file", LogPath: "/l\nnewline",
		MaxSize: 1024, MaxFiles: 3, Compress: true, Files: []File{{"stdout", 5}, {"stderr", 7}},
		Journal: []string{"CONTAINER_ID=abc", "CONTAINER_TAG=a=b"},
		Health: &Health{Args: []string{"ctr-lite", "--root", "/r", "healthcheck"}, Interval: 2 * time.Second,
			Timeout: time.Second, StartPeriod: 3, StartInterval: 4, Started: time.Unix(1700000000, 5)},
		Code: 137, Exit: 0}
	got, err := Parse(m.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, m)
	}
	if got.FD("stderr") != 7 || got.FD("pty") != -1 {
		t.Fatalf("FD: %d %d", got.FD("stderr"), got.FD("pty"))
	}
}

// A message without exit status reads as -1 (not known), not 0: 0 would
// be a clean exit.
func TestCodeDefaultsUnknown(t *testing.T) {
	m, err := Parse("version \"1\"\nid \"a\"\nroot \"/r\"\nrunroot \"/rr\"\n")
	if err != nil || m.Code != -1 || m.Exit != -1 || m.Health != nil {
		t.Fatalf("%+v %v", m, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "is not set"},
		{"version \"2\"\nid \"a\"\nroot \"/r\"\nrunroot \"/rr\"", "version 2"},
		{"version \"1\"\nroot \"/r\"\nrunroot \"/rr\"", "no container ID"},
		{"version \"1\"\nid a", "is not `key"},
		{"version \"1\"\nbogus \"1\"", "unknown key"},
		{"version \"1\"\npid \"x\"", "not a number"},
		{"version \"1\"\nfile \"stdout\"", "not name=fd"},
	} {
		if _, err := Parse(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
}
