package rootfs

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// docker's local driver options: its keys, the ones each needs, its messages.
func TestCheckLocalOptions(t *testing.T) {
	good := []map[string]string{nil, {"type": "tmpfs", "device": "tmpfs"}, {"type": "tmpfs", "device": "tmpfs", "o": "size=64m"},
		{"type": "none", "device": "/srv", "o": "bind"}}
	for _, o := range good {
		if err := CheckLocalOptions(o); err != nil {
			t.Errorf("%v: %v", o, err)
		}
	}
	bad := map[string]map[string]string{
		`missing required option: "device"`: {"type": "tmpfs"},
		`missing required option: "type"`:   {"device": "tmpfs"},
		`invalid option: "x"`:               {"x": "1"},
		"quota size requested":              {"size": "1g"},
	}
	for want, o := range bad {
		if err := CheckLocalOptions(o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", o, err, want)
		}
	}
}

func TestParseMountOptions(t *testing.T) {
	flags, data := parseMountOptions("bind,ro,size=64m,,uid=1000,rw,nosuid")
	if flags != unix.MS_BIND|unix.MS_NOSUID || data != "size=64m,uid=1000" {
		t.Fatalf("got %#x %q", flags, data)
	}
}
