package reexec

import (
	"os"
	"strings"
	"testing"
)

// TestMain dispatches entry points first, as main does: without it, a
// re-exec'd test binary would run the whole suite again.
func TestMain(m *testing.M) {
	if Init() {
		return
	}
	os.Exit(m.Run())
}

func init() {
	Register("reexec-test-echo", func() {
		os.Stdout.WriteString(strings.Join(os.Args[1:], " "))
		os.Exit(0)
	})
}

func TestCommandRunsEntryPoint(t *testing.T) {
	out, err := Command("reexec-test-echo", "a", "b").Output()
	if err != nil || string(out) != "a b" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestUndispatchedChildExits(t *testing.T) {
	err := Command("no-such-entry").Run()
	if err == nil || !strings.Contains(err.Error(), "exit status 2") {
		t.Fatalf("an unknown entry point must exit 2, got %v", err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("want panic")
		}
	}()
	Register("reexec-test-echo", func() {})
}
