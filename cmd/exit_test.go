package cmd

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func execute(t *testing.T, args ...string) (*cobra.Command, error) {
	t.Helper()
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	return root.ExecuteC()
}

func TestUnknownSubcommandOfGroupFails(t *testing.T) {
	for _, group := range []string{"system", "volume", "network", "image", "generate"} {
		c, err := execute(t, group, "nonsense")
		if code := ExitCode(c, err); code != 1 {
			t.Errorf("%s nonsense: exit %d, want 1 (err %v)", group, code, err)
		}
		want := "unknown command: ctr-lite " + group + " nonsense; run 'ctr-lite " + group + " --help'"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s nonsense: error %v, want it to start %q", group, err, want)
		}
		if c, err := execute(t, group); err != nil || ExitCode(c, err) != 0 {
			t.Errorf("%s alone: %v, want its help and 0", group, err)
		}
	}
}

// At the top level the words are docker's, two lines without "Error:".
func TestUnknownTopLevelCommandSaysDockersWords(t *testing.T) {
	root := NewRootCmd()
	var stderr strings.Builder
	root.SetArgs([]string{"nonsense"})
	root.SetOut(io.Discard)
	root.SetErr(&stderr)
	c, err := root.ExecuteC()
	if code := ExitCode(c, err); code != 1 {
		t.Errorf("exit %d, want 1 (err %v)", code, err)
	}
	var ee *lifecycle.ExitError
	if !errors.As(err, &ee) || !ee.Silent() {
		t.Errorf("error %v would be printed again", err)
	}
	if want := "ctr-lite: 'nonsense' is not a ctr-lite command.\nSee 'ctr-lite --help'.\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

func TestExitCodesFollowDocker(t *testing.T) {
	run := runLike(&cobra.Command{Use: "run"})
	rm := &cobra.Command{Use: "rm"}
	engine := &lifecycle.ExitError{Code: lifecycle.ExitEngine, Err: errors.New("name in use")}
	notFound := &lifecycle.ExitError{Code: lifecycle.ExitNotFound, Err: errors.New("exec: not found")}
	status := &lifecycle.ExitError{Code: 3}
	for _, tc := range []struct {
		name string
		c    *cobra.Command
		err  error
		want int
	}{
		{"success", rm, nil, 0},
		{"rm fails", rm, engine, 1},
		{"rm plain error", rm, errors.New("x"), 1},
		{"start of a missing command", rm, notFound, 1},
		{"start -a passes the container's status", rm, status, 3},
		{"bad flag of rm", rm, badFlagValue(errors.New("unknown flag")), 125},
		{"run engine error", run, engine, 125},
		{"run plain error", run, errors.New("x"), 125},
		{"run command not found", run, notFound, 127},
		{"run passes the container's status", run, status, 3},
		{"exec of a missing command", execLike(&cobra.Command{Use: "exec"}), notFound, 127},
		{"exec of a stopped container", execLike(&cobra.Command{Use: "exec"}), engine, 1},
		{"inspect template that does not parse", rm, &statusError{code: exitBadTemplate, err: errors.New("bad")}, 64},
		{"run missing argument", run, argError(run, errors.New("needs IMAGE")), 1},
	} {
		if got := ExitCode(tc.c, tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestFlagErrorsExit125FromEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"ps", "--bogus"}, {"volume", "ls", "--bogus"}, {"run", "--bogus", "busybox"}} {
		c, err := execute(t, args...)
		if code := ExitCode(c, err); code != 125 {
			t.Errorf("%v: exit %d, want 125 (err %v)", args, code, err)
		}
	}
}
