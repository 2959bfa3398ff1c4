// Command ctr-lite is a daemonless container engine with docker's commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ctr-lite/ctr-lite/cmd"
	"github.com/ctr-lite/ctr-lite/reexec"
)

type exitCoder interface{ ExitCode() int }

type silencer interface{ Silent() bool }

func main() {
	// Re-exec'd helpers run before cobra parses anything.
	if reexec.Init() {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cmd.NewRootCmd().ExecuteContext(ctx)
	stop()
	os.Exit(report(err))
}

// report prints err once as "Error: ..." and returns the exit code it
// carries (125, docker's engine-error code, when it carries none).
func report(err error) int {
	if err == nil {
		return 0
	}
	var s silencer
	if !errors.As(err, &s) || !s.Silent() {
		fmt.Fprintln(os.Stderr, "Error:", err)
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 125
}
