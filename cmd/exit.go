package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

// Exit codes follow docker's CLI (cmd/docker/docker.go getExitCode and
// cli/cobra.go FlagErrorFunc): a flag that does not parse is 125 from
// every command; a process's own status (run, start -a, exec) is passed
// on; run alone turns its failures into 125/126/127; any other failure
// of any other command is 1. Commands do not choose their code: they
// return errors, and ExitCode maps them here.

// runLikeKey marks a command whose failures keep lifecycle's codes.
const runLikeKey = "ctr-lite.exit-codes"

// runLike marks c as one whose failures exit 125/126/127, as docker run's do.
func runLike(c *cobra.Command) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[runLikeKey] = "run"
	return c
}

func isRunLike(c *cobra.Command) bool { return c != nil && c.Annotations[runLikeKey] == "run" }

// flagError is a flag or flag value that does not parse: docker's 125
// from every command.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// badFlagValue marks err as a flag value that does not parse (docker
// create and run answer those with 125 too).
func badFlagValue(err error) error {
	if err == nil {
		return nil
	}
	return &flagError{err: err}
}

// ExitCode is the process exit status for err, returned by the command c
// that ran (ExecuteC's command).
func ExitCode(c *cobra.Command, err error) int {
	if err == nil {
		return 0
	}
	var fe *flagError
	if errors.As(err, &fe) {
		return lifecycle.ExitEngine
	}
	var ee *lifecycle.ExitError
	if errors.As(err, &ee) && (ee.Err == nil || isRunLike(c)) {
		return ee.Code
	}
	if isRunLike(c) {
		return lifecycle.ExitEngine
	}
	return 1
}

// argError is a wrong number of arguments: docker's plain error, so 1
// even from run (cli/required.go).
func argError(c *cobra.Command, err error) error {
	return &lifecycle.ExitError{Code: 1, Err: withHelpHint(c, err)}
}

// groupArgs makes a command group refuse what is not one of its
// commands (docker's cli.NoArgs): "volume nonsense" fails with 1, where
// cobra would print the help and exit 0. The group alone prints its help.
func groupArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return fmt.Errorf("unknown command: %s %s; run '%s --help' for more information", c.CommandPath(), args[0], c.CommandPath())
}

// makeGroups gives every command with subcommands and no action of its
// own groupArgs and a help action, all the way down the tree.
func makeGroups(c *cobra.Command) {
	for _, sub := range c.Commands() {
		makeGroups(sub)
	}
	if !c.HasSubCommands() || c.Run != nil || c.RunE != nil {
		return
	}
	c.Args = groupArgs
	c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
}
