package lifecycle

import (
	"os"
	"testing"

	"github.com/ctr-lite/ctr-lite/reexec"
)

// TestMain dispatches re-exec entry points (the netns helper) first, as
// main does, so a test that creates a namespace re-executes a helper and
// not the test suite.
func TestMain(m *testing.M) {
	if reexec.Init() {
		return
	}
	os.Exit(m.Run())
}
