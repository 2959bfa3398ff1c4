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
// on; run turns its failures into 125/126/127 and exec a command that
// cannot be run into 126/127; any other failure is 1. Commands do not
// choose their code: they return errors, and ExitCode maps them here.

// exitCodesKey marks a command whose failures keep lifecycle's codes:
// "run" keeps them all (125 when there is none), "exec" keeps 126/127
// (the command cannot be run, or is not found), as docker exec does.
const exitCodesKey = "ctr-lite.exit-codes"

// runLike marks c as one whose failures exit 125/126/127, as docker run's do.
func runLike(c *cobra.Command) *cobra.Command { return markExitCodes(c, "run") }

// execLike marks c as one whose failure to start its command exits
// 126/127, as docker exec's does.
func execLike(c *cobra.Command) *cobra.Command { return markExitCodes(c, "exec") }

func markExitCodes(c *cobra.Command, kind string) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[exitCodesKey] = kind
	return c
}

func exitCodes(c *cobra.Command) string {
	if c == nil {
		return ""
	}
	return c.Annotations[exitCodesKey]
}

// statusError is an error whose exit code docker's CLI fixes whatever
// the command (its cli.StatusError): 125 for a flag that does not parse,
// 1 for a wrong number of arguments, 64 for an inspect template that does
// not parse.
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// exitBadTemplate is docker inspect's code for a --format that does not
// parse (cli/command/inspect: StatusError{StatusCode: 64}).
const exitBadTemplate = 64

// badFlagValue marks err as a flag value that does not parse (docker
// create and run answer those with 125 too).
func badFlagValue(err error) error {
	if err == nil {
		return nil
	}
	return &statusError{code: lifecycle.ExitEngine, err: err}
}

// ExitCode is the process exit status for err, returned by the command c
// that ran (ExecuteC's command).
func ExitCode(c *cobra.Command, err error) int {
	if err == nil {
		return 0
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	kind := exitCodes(c)
	var ee *lifecycle.ExitError
	if errors.As(err, &ee) {
		switch {
		case ee.Err == nil, kind == "run":
			return ee.Code
		case kind == "exec" && (ee.Code == lifecycle.ExitCannotRun || ee.Code == lifecycle.ExitNotFound):
			return ee.Code
		}
	}
	if kind == "run" {
		return lifecycle.ExitEngine
	}
	return 1
}

// argError is a wrong number of arguments: docker's plain error, so 1
// even from run (cli/required.go).
func argError(c *cobra.Command, err error) error {
	return &statusError{code: 1, err: withHelpHint(c, err)}
}

// groupArgs makes a command group refuse what is not one of its
// commands (docker's cli.NoArgs): "volume nonsense" fails with 1, where
// cobra would print the help and exit 0. The group alone prints its help.
// At the top level the words are docker's (cmd/docker: "docker: 'x' is
// not a docker command."), printed here as they have no "Error:" prefix.
func groupArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if !c.HasParent() {
		fmt.Fprintf(c.ErrOrStderr(), "%s: '%s' is not a %s command.\nSee '%s --help'.\n", c.Name(), args[0], c.Name(), c.Name())
		return &lifecycle.ExitError{Code: 1}
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
