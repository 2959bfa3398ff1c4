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
	// Re-exec entry points register in their init: linked here so that
	// each is in the binary whatever cmd happens to import.
	_ "github.com/ctr-lite/ctr-lite/lifecycle/initproc"
	_ "github.com/ctr-lite/ctr-lite/lifecycle/monitor"
	"github.com/ctr-lite/ctr-lite/reexec"
)

type silencer interface{ Silent() bool }

func main() {
	// Re-exec'd helpers run before cobra parses anything.
	if reexec.Init() {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	root := cmd.NewRootCmd()
	if args, ok := cmd.GeneratorArgs(os.Args); ok { // linked as a systemd generator
		root.SetArgs(args)
	}
	c, err := root.ExecuteContextC(ctx)
	stop()
	report(err)
	os.Exit(cmd.ExitCode(c, err))
}

// report prints err once as "Error: ..." unless it is a process's own
// exit status, which speaks for itself.
func report(err error) {
	if err == nil {
		return
	}
	var s silencer
	if !errors.As(err, &s) || !s.Silent() {
		fmt.Fprintln(os.Stderr, "Error:", err)
	}
}
