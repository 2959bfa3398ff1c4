// Package reexec runs ctr-lite's own binary as a helper process: a named
// entry point is chosen by argv[0], registered at init time and dispatched
// from main before any flag parsing, so a helper starts in microseconds and
// never sees the CLI.
//
// Guarantees: Init returns false, touching nothing, when argv[0] names no
// registered entry point. A child started by Command that reaches Init
// without being dispatched (a binary that forgot to call Init first, such
// as a test binary without TestMain) exits at once with status 2 instead of
// running its caller's code again: no accidental fork bomb.
package reexec

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// childEnv marks a process started by Command.
const childEnv = "CTR_LITE_REEXEC_CHILD"

var entries = map[string]func(){}

// Register adds an entry point; it panics on a duplicate name, which is a
// programming error caught by any test run.
func Register(name string, fn func()) {
	if _, dup := entries[name]; dup {
		panic(fmt.Sprintf("reexec: %q registered twice", name))
	}
	entries[name] = fn
}

// Init runs the entry point named by os.Args[0], if any, and reports
// whether it did. The entry point is expected to exit the process.
func Init() bool {
	fn, ok := entries[os.Args[0]]
	if ok {
		fn()
		return true
	}
	if os.Getenv(childEnv) != "" {
		fmt.Fprintf(os.Stderr, "reexec: no entry point %q in this binary\n", os.Args[0])
		os.Exit(2)
	}
	return false
}

// Command returns a command that runs entry point name with args, using
// /proc/self/exe so the helper is exactly this binary.
func Command(name string, args ...string) *exec.Cmd {
	return &exec.Cmd{
		Path: "/proc/self/exe",
		Args: append([]string{name}, args...),
		Env:  append(os.Environ(), childEnv+"=1"),
	}
}

// Exec replaces this process with the named entry point: same PID, same
// children, and only the descriptors not marked close-on-exec.
func Exec(name string, args ...string) error {
	return syscall.Exec("/proc/self/exe", append([]string{name}, args...), append(os.Environ(), childEnv+"=1"))
}

// PlainEnv is this process's environment without the mark Command and
// Exec add: for a child that runs the ctr-lite CLI, not an entry point.
func PlainEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) <= len(childEnv) || kv[:len(childEnv)+1] != childEnv+"=" {
			env = append(env, kv)
		}
	}
	return env
}
