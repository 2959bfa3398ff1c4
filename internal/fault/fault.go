// Package fault holds named crash points for the crash-consistency tests:
// CTR_LITE_FAULT=<point> makes the process that reaches Point(<point>)
// die at once by SIGKILL, as a power cut or kill -9 would. Unset, a point
// costs one string comparison.
package fault

import (
	"os"
	"syscall"
)

// EnvVar names the point to die at.
const EnvVar = "CTR_LITE_FAULT"

var armed = os.Getenv(EnvVar)

// Point dies here if name is the armed point.
func Point(name string) {
	if armed == "" || armed != name {
		return
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way
}
