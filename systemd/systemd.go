package systemd

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ctr-lite/ctr-lite/state"
)

// Systemd units. Nothing an image says reaches a unit: the default unit
// starts and stops the existing container by ID, and a --new unit runs
// the container's stored CreateCommand (what the user typed) again. Every
// word written into a unit is quoted by systemd's rules (quoteWord), so a
// value cannot become a directive, a second command or a variable.

// ErrNoCreateCommand is a container made before CreateCommand was kept.
var ErrNoCreateCommand = errors.New("the container has no stored command line (it was created by an older ctr-lite): recreate it, then generate the unit again")

// UnitOptions is what a systemd unit for a container needs to know.
type UnitOptions struct {
	Binary        string // absolute path of ctr-lite
	Root, RunRoot string // --root and --runroot, passed on in the environment
	StopTimeout   int    // seconds for ctr-lite stop -t
	// PIDFile is where the container's monitor keeps its PID; the default
	// unit names it, so systemd follows a monitor that runs already.
	PIDFile string
	// Command is the container's CreateCommand split by its flags; set,
	// the unit creates a new container from it at every start (--new).
	Command *CommandLine
	// ImageEnv is the image's Env: a `-e KEY` the image answered (the
	// caller had no KEY) stays out of the unit, which gets it at run time.
	ImageEnv []string
	// UseName names the container by its name, not its ID, in the unit's
	// name and the default unit's commands (generate systemd --name).
	UseName bool
}

// UnitName is podman's name for the unit of container c:
// container-ID.service, or container-NAME.service with useName.
func UnitName(c *state.Container, useName bool) string {
	return "container-" + containerRef(c, useName) + ".service"
}

func containerRef(c *state.Container, useName bool) string {
	if useName {
		return c.Name
	}
	return c.ID
}

// Arg is one flag of a stored command line.
type Arg struct {
	Name  string   // the flag's long name, e.g. "detach"
	Value string   // its value ("true" for a bare boolean)
	Words []string // as typed: ["-d"], ["--name", "web"], ["--name=web"]
}

// CommandLine is `ctr-lite [GLOBALS] create|run [FLAGS] IMAGE [ARG...]`
// split by the flags that parse it; the cmd package does the split.
type CommandLine struct {
	Globals  []Arg    // ctr-lite's own flags, wherever they were typed
	Verb     string   // create or run
	Flags    []Arg    // the verb's flags
	Operands []string // IMAGE [COMMAND [ARG...]]
}

// Flags of a stored command line that a --new unit sets itself: the unit
// runs detached, removes the container when it stops, replaces a stale
// one and names it, systemd's Restart= replaces --restart, --sdnotify is
// the unit's (unitNotify), and the state directories come from the
// unit's environment.
var unitOwned = map[string]bool{"detach": true, "rm": true, "replace": true, "name": true, "restart": true, "sdnotify": true}
var unitOwnedGlobals = map[string]bool{"root": true, "runroot": true}

// unitCommands are a unit's command lines and restart settings.
type unitCommands struct {
	start, stop, stopPost []string
	restart, burst        string
	made                  string   // the generate command, for the header
	env                   []string // Environment= beyond the state directories
}

// Unit renders the unit for container c (hc its host config). The
// default unit is `ctr-lite start ID` / `ctr-lite stop -t N ID` of the
// existing container; with o.Command it is `ctr-lite run -d --rm
// --replace --name NAME` plus the flags and operands the container was
// created with.
func Unit(c *state.Container, hc *state.HostConfig, o UnitOptions) (string, error) {
	u, err := commandsFor(c, hc, o)
	if err != nil {
		return "", err
	}
	w := &unitWriter{}
	w.line("# " + UnitName(c, o.UseName) + ", made by: " + u.made)
	w.line("[Unit]")
	w.line("Description=ctr-lite container " + strings.ReplaceAll(c.Name, "%", "%%"))
	w.line("Wants=network-online.target")
	w.line("After=network-online.target")
	if u.burst != "" {
		w.line("StartLimitBurst=" + u.burst)
	}
	w.line("")
	w.line("[Service]")
	w.words("Environment=", false, append([]string{"CTR_LITE_ROOT=" + o.Root, "CTR_LITE_RUNROOT=" + o.RunRoot}, u.env...)...)
	w.line("Restart=" + u.restart)
	w.line(fmt.Sprintf("TimeoutStopSec=%d", o.StopTimeout+20))
	w.words("ExecStart=", true, u.start...)
	w.words("ExecStop=", true, u.stop...)
	w.words("ExecStopPost=", true, u.stopPost...)
	// ExecStart returns once the container runs under its monitor, which
	// becomes the main process; stop returns once both are gone, so
	// KillMode=mixed finds nothing left in the normal case. A --new unit's
	// monitor says so itself (--sdnotify: MAINPID, then READY=1), as
	// podman's does. The default unit names the monitor's pid file, as
	// podman's does: a container that already runs has its monitor outside
	// the unit's cgroup, and there is no start to notify systemd.
	if o.Command == nil {
		w.line("Type=forking")
		w.path("PIDFile=", o.PIDFile)
	} else {
		w.line("Type=notify")
		w.line("NotifyAccess=all")
	}
	w.line("KillMode=mixed")
	w.line("")
	w.line("[Install]")
	w.line("WantedBy=multi-user.target")
	return w.b.String(), w.err
}

func commandsFor(c *state.Container, hc *state.HostConfig, o UnitOptions) (unitCommands, error) {
	u, err := commandLines(c, hc, o)
	if err == nil {
		u.env, err = createEnv(c)
	}
	return u, err
}

func commandLines(c *state.Container, hc *state.HostConfig, o UnitOptions) (unitCommands, error) {
	timeout := strconv.Itoa(o.StopTimeout)
	if o.Command == nil {
		if hc.AutoRemove {
			return unitCommands{}, errors.New("the container is removed when it exits (--rm), so a unit could start it only once: use --new")
		}
		ref := containerRef(c, o.UseName)
		stop := []string{o.Binary, "stop", "-t", timeout, ref}
		return unitCommands{start: []string{o.Binary, "start", ref}, stop: stop, stopPost: stop,
			restart: "on-failure", made: madeBy(c, o)}, nil
	}
	start, restart, burst, err := newUnitCommand(c, o)
	u := unitCommands{restart: restart, burst: burst, made: madeBy(c, o)}
	if err == nil {
		u.start, u.stop, u.stopPost = runLines(o.Binary, start.globals, c.Name, true, start.args, o.StopTimeout)
	}
	return u, err
}

// madeBy is the generate command that wrote the unit, for its header.
func madeBy(c *state.Container, o UnitOptions) string {
	made := "ctr-lite generate systemd "
	if o.Command != nil {
		made += "--new "
	}
	if o.UseName {
		made += "--name "
	}
	return made + c.Name
}

// unitNotify is the --sdnotify of a --new unit's run (Type=notify): the
// container's own mode, but conmon for one that has none or ignores the
// socket, as podman does: few services notify, and systemd would wait
// for a READY=1 that never comes.
func unitNotify(c *state.Container) string {
	switch m := c.Config.SdNotify; m {
	case "", state.SdNotifyIgnore:
		return state.SdNotifyConmon
	default:
		return m
	}
}

// runArgs are the words of a new container's run: ctr-lite's own flags
// (before "run") and the run's flags and operands (after the flags the
// unit owns).
type runArgs struct{ globals, args []string }

// runLines are the command lines of a unit that makes a new container
// named name at every start: run replaces a container a killed run left
// and removes its own when it ends (detached or not), stop gives it
// timeout seconds, and stopPost removes what is left when the main
// process was killed (ExecStop does not run then). "-": the container
// may be gone already (--rm).
func runLines(binary string, globals []string, name string, detach bool, args []string, timeout int) (start, stop, stopPost []string) {
	start = append(append([]string{binary}, globals...), "run")
	if detach {
		start = append(start, "-d")
	}
	start = append(append(start, "--rm", "--replace", "--name", name), args...)
	stop = []string{binary, "stop", "-t", strconv.Itoa(timeout), name}
	stopPost = []string{"-" + binary, "rm", "-f", name}
	return start, stop, stopPost
}

// newUnitCommand is what the ExecStart of a --new unit runs, and the
// Restart= and StartLimitBurst= that replace the container's --restart.
func newUnitCommand(c *state.Container, o UnitOptions) (run runArgs, restart, burst string, err error) {
	cl := o.Command
	if cl.Verb != "create" && cl.Verb != "run" || len(cl.Operands) == 0 {
		return run, "", "", errors.New("its stored command line is not a create or run with an image: recreate the container")
	}
	for _, a := range append(append([]Arg(nil), cl.Globals...), cl.Flags...) {
		if p := relativeHostPath(a); p != "" {
			return run, "", "", fmt.Errorf("it was created with the relative path %q (--%s), which a unit (run in /) would read elsewhere: recreate it with an absolute path", p, a.Name)
		}
	}
	for _, a := range cl.Globals {
		if !unitOwnedGlobals[a.Name] {
			run.globals = append(run.globals, a.Words...)
		}
	}
	restart = "on-failure"
	run.args = []string{"--sdnotify", unitNotify(c)}
	for _, a := range cl.Flags {
		switch {
		case a.Name == "restart":
			restart, burst = unitRestart(a.Value)
		case unitOwned[a.Name]:
		case a.Name == "env" && !strings.Contains(a.Value, "="):
			if passedEnv(c, a.Value, o.ImageEnv) {
				return run, "", "", fmt.Errorf("it took %s from your environment (-e %s), and a unit would write its value into the unit file: pass it with --env-file", a.Value, a.Value)
			}
		default:
			run.args = append(run.args, a.Words...)
		}
	}
	run.args = append(run.args, cl.Operands...)
	return run, restart, burst, nil
}

// relativeHostPath is the relative host path flag a names, if any.
func relativeHostPath(a Arg) string {
	p := a.Value
	switch a.Name {
	case "env-file", "cidfile", "pidfile", "registries-conf":
	case "security-opt":
		var ok bool
		if p, ok = strings.CutPrefix(p, "seccomp="); !ok || p == "unconfined" {
			return ""
		}
	case "runtime": // a bare name is looked up in PATH
		if !strings.Contains(p, "/") {
			return ""
		}
	default:
		return ""
	}
	if p == "" || filepath.IsAbs(p) {
		return ""
	}
	return p
}

// passedEnv says whether `-e KEY` (take KEY from the caller's
// environment) gave the container a value of the caller's. A unit cannot
// take it from systemd's environment, and writing it into the unit would
// publish what -e KEY is used to keep out of argv (a unit file is
// world-readable, and so is the argv of its ctr-lite run). An unset KEY
// set nothing, nor does the unit; a value the image gave stays the
// image's.
func passedEnv(c *state.Container, key string, imageEnv []string) bool {
	for _, kv := range c.Config.Env {
		if k, _, _ := strings.Cut(kv, "="); k == key && !slices.Contains(imageEnv, kv) {
			return true
		}
	}
	return false
}

// createEnv is the CTR_LITE_* environment the container's create read
// (its runtime, storage driver, default network, log level, registries
// file), for the unit's Environment=, so that what the unit runs uses
// what the container was made with. The state directories are the
// unit's own (generate's --root and --runroot).
func createEnv(c *state.Container) ([]string, error) {
	var env []string
	for _, kv := range c.Config.CreateEnv {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "CTR_LITE_") || k == "CTR_LITE_ROOT" || k == "CTR_LITE_RUNROOT" {
			continue
		}
		flag := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(k, "CTR_LITE_")), "_", "-")
		if p := relativeHostPath(Arg{Name: flag, Value: v}); p != "" {
			return nil, fmt.Errorf("it was created with %s=%q, a relative path, which a unit (run in /) would read elsewhere: recreate it with an absolute path", k, p)
		}
		env = append(env, kv)
	}
	return env, nil
}

// unitRestart maps docker's restart policy onto systemd's Restart=.
func unitRestart(policy string) (restart, burst string) {
	name, count, _ := strings.Cut(policy, ":")
	switch name {
	case "always", "unless-stopped":
		return "always", ""
	case "no":
		return "no", ""
	}
	return "on-failure", count
}

// unitWriter collects unit lines; the first word that cannot be quoted
// is kept as the error.
type unitWriter struct {
	b   strings.Builder
	err error
}

func (w *unitWriter) line(s string) { w.b.WriteString(s + "\n") }

// path writes key followed by path p. Path settings (PIDFile=) take the
// rest of the line as it is, with specifiers but without quotes or
// escapes, so % is doubled and a path that cannot be written so (a
// control character, space at either end, not absolute) is refused.
func (w *unitWriter) path(key, p string) {
	_, err := quoteWord(p, false)
	if err == nil && (!filepath.IsAbs(p) || strings.TrimSpace(p) != p || strings.ContainsFunc(p, isControl)) {
		err = fmt.Errorf("path %q cannot be written into a unit", p)
	}
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("write %s of the unit: %w", strings.TrimSuffix(key, "="), err)
	}
	w.line(key + strings.ReplaceAll(p, "%", "%%"))
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// words writes key followed by the quoted words; dollars says whether
// the directive expands $VAR in its arguments (command lines do,
// Environment= does not). A command line's first word, the executable,
// is not expanded, so its $ stays single.
func (w *unitWriter) words(key string, dollars bool, words ...string) {
	q := make([]string, len(words))
	for i, s := range words {
		var err error
		if q[i], err = quoteWord(s, dollars && i > 0); err != nil && w.err == nil {
			w.err = fmt.Errorf("write %s of the unit: %w", strings.TrimSuffix(key, "="), err)
		}
	}
	w.line(key + strings.Join(q, " "))
}

// quoteWord quotes one word for a unit file by systemd.syntax(7) and
// systemd.service(5) "Command lines": % is a specifier (%%), $ a variable
// in command lines ($$), and anything but plain characters goes inside
// double quotes with C escapes, so a newline, a quote, a backslash, a
// lone ";" (a command separator in older systemd) or a space cannot end
// the word. A NUL byte or invalid UTF-8 cannot be written and is refused.
func quoteWord(s string, dollars bool) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", fmt.Errorf("word %q has a NUL byte, which a unit file cannot hold", s)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("word %q is not valid UTF-8, which a unit file cannot hold", s)
	}
	s = strings.ReplaceAll(s, "%", "%%")
	if dollars {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	if s != "" && strings.Trim(s, plainChars) == "" {
		return s, nil
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// plainChars need no quoting anywhere in a word.
const plainChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:=,@%$"
