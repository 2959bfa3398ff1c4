package monitor

import (
	"os"
	"testing"

	"github.com/ctr-lite/ctr-lite/reexec"
)

// TestMain dispatches re-exec entry points first, as main does: a test
// that starts a monitor (or a netns helper) re-executes that helper and
// not the test suite.
func TestMain(m *testing.M) {
	if reexec.Init() {
		return
	}
	os.Exit(m.Run())
}
