package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeMount records the option suffixes it is called with and fails with
// EINVAL on those in refuse, as a kernel without an option does.
type fakeMount struct {
	calls  []string
	refuse func(extra string) bool
}

func (m *fakeMount) mount(_ []string, _, _, _, extra string) error {
	m.calls = append(m.calls, extra)
	if m.refuse(extra) {
		return unix.EINVAL
	}
	return nil
}

func mountWith(m *fakeMount, volatile bool) error {
	return mountMaybeVolatile(m.mount, []string{"/l"}, "/u", "/w", "/m", volatile)
}

// Kernels before 5.10 refuse "volatile" with EINVAL: the mount is retried
// without it, and the process remembers (issue 10 #12). An EINVAL that a
// plain mount also gets is another fault: it is reported, and volatile is
// not given up for the rest of the process.
func TestVolatileFallback(t *testing.T) {
	cases := []struct {
		name      string
		refuse    func(extra string) bool
		volatile  []bool // one mount per element
		wantCalls string
		wantErr   error
		wantOff   bool
	}{
		{"old kernel", func(e string) bool { return strings.Contains(e, "volatile") }, []bool{true, true}, ",volatile||", nil, true},
		{"new kernel", func(string) bool { return false }, []bool{true, false}, ",volatile|", nil, false},
		{"other fault", func(string) bool { return true }, []bool{true}, ",volatile|", unix.EINVAL, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			volatileRefused.Store(false)
			defer volatileRefused.Store(false)
			m := &fakeMount{refuse: c.refuse}
			var err error
			for _, v := range c.volatile {
				err = mountWith(m, v)
			}
			if !errors.Is(err, c.wantErr) {
				t.Errorf("last mount: %v, want %v", err, c.wantErr)
			}
			if got := strings.Join(m.calls, "|"); got != c.wantCalls {
				t.Errorf("mount calls = %q, want %q", got, c.wantCalls)
			}
			if volatileRefused.Load() != c.wantOff {
				t.Errorf("volatile given up = %v, want %v", volatileRefused.Load(), c.wantOff)
			}
		})
	}
}

// unmount's target may be a symlink an image or archive made: unmounting
// it must leave the mount it points at alone (review 1 #1), and count as
// "not mounted". Root only: it mounts tmpfs.
func TestUnmountDoesNotFollowSymlink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts tmpfs: run as root")
	}
	victim := mountTmpfs(t, t.TempDir())
	link := filepath.Join(t.TempDir(), "merged")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := unmount(link); err != nil {
		t.Errorf("unmount of a symlink: %v, want nil (not mounted)", err)
	}
	if !isMountpoint(victim) {
		t.Error("unmount followed the symlink and unmounted its target")
	}
}
