package rootfs

import (
	"errors"
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
// without it, and the process remembers (issue 10 #12).
func TestVolatileFallsBackOnOldKernels(t *testing.T) {
	volatileRefused.Store(false)
	defer volatileRefused.Store(false)
	m := &fakeMount{refuse: func(extra string) bool { return strings.Contains(extra, "volatile") }}
	if err := mountWith(m, true); err != nil {
		t.Fatalf("mount must fall back to a plain one: %v", err)
	}
	if err := mountWith(m, true); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.calls, "|"); got != ",volatile||" {
		t.Errorf("mount calls = %q, want volatile once, then plain twice", got)
	}
}

func TestVolatileKeptWhereSupported(t *testing.T) {
	volatileRefused.Store(false)
	defer volatileRefused.Store(false)
	m := &fakeMount{refuse: func(string) bool { return false }}
	mountWith(m, true)
	mountWith(m, false)
	if got := strings.Join(m.calls, "|"); got != ",volatile|" {
		t.Errorf("mount calls = %q", got)
	}
}

// An EINVAL that a plain mount also gets is another fault: it is reported,
// and volatile is not given up for the rest of the process.
func TestVolatileFallbackKeepsOtherErrors(t *testing.T) {
	volatileRefused.Store(false)
	defer volatileRefused.Store(false)
	m := &fakeMount{refuse: func(string) bool { return true }}
	if err := mountWith(m, true); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("want EINVAL, got %v", err)
	}
	if volatileRefused.Load() {
		t.Error("volatile marked unsupported after a failure it did not cause")
	}
}
