package systemd

import (
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestQuoteWord(t *testing.T) {
	for _, tc := range []struct{ in, cmd, env string }{
		{"plain", "plain", "plain"},
		{"/usr/bin/ctr-lite", "/usr/bin/ctr-lite", "/usr/bin/ctr-lite"},
		{"", `""`, `""`},
		{"two words", `"two words"`, `"two words"`},
		{"1000\nExecStartPre=/usr/bin/touch /tmp/pwned", `"1000\nExecStartPre=/usr/bin/touch /tmp/pwned"`, `"1000\nExecStartPre=/usr/bin/touch /tmp/pwned"`},
		{"100%", "100%%", "100%%"},
		{"%n", "%%n", "%%n"},
		{"$HOME", "$$HOME", "$HOME"},
		{"${HOME}", `"$${HOME}"`, `"${HOME}"`},
		{`a\b`, `"a\\b"`, `"a\\b"`},
		{`a\`, `"a\\"`, `"a\\"`},
		{`say "hi"`, `"say \"hi\""`, `"say \"hi\""`},
		{`it's`, `"it's"`, `"it's"`},
		{`'`, `"'"`, `"'"`},
		{";", `";"`, `";"`},
		{"a;b", `"a;b"`, `"a;b"`},
		{"tab\there", `"tab\there"`, `"tab\there"`},
		{"cr\r", `"cr\x0d"`, `"cr\x0d"`},
		{"grüße ☃", `"grüße ☃"`, `"grüße ☃"`},
		{"-e", "-e", "-e"},
	} {
		if got, err := quoteWord(tc.in, true); err != nil || got != tc.cmd {
			t.Errorf("command word %q: got %s, %v; want %s", tc.in, got, err, tc.cmd)
		}
		if got, err := quoteWord(tc.in, false); err != nil || got != tc.env {
			t.Errorf("environment word %q: got %s, %v; want %s", tc.in, got, err, tc.env)
		}
	}
	for _, bad := range []string{"a\x00b", "\xff"} {
		if got, err := quoteWord(bad, true); err == nil {
			t.Errorf("%q quoted as %s, want an error", bad, got)
		}
	}
}

// hostile is a container whose image said things meant to become unit
// directives; none of it may appear in a unit.
func hostileContainer() *state.Container {
	payload := "1000\nExecStartPre=/usr/bin/touch /tmp/pwned"
	return &state.Container{ID: "0123456789ab", Name: "web", Path: "sleep", Args: []string{payload}, ImageName: "evil",
		Config: state.Config{Cmd: []string{"sleep", payload}, Env: []string{"A=" + payload, "KEEP=from me"},
			WorkingDir: "/" + payload, User: payload, Labels: map[string]string{"l": payload}}}
}

func TestSystemdUnitStartsTheContainer(t *testing.T) {
	o := UnitOptions{Binary: "/usr/bin/ctr-lite", Root: "/var/lib/ctr-lite", RunRoot: "/run/ctr $x", StopTimeout: 7,
		PIDFile: "/run/ctr $x/containers/0123456789ab/monitor.pid"}
	unit, err := Unit(hostileContainer(), &state.HostConfig{}, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"ExecStart=/usr/bin/ctr-lite start 0123456789ab", "ExecStop=/usr/bin/ctr-lite stop -t 7 0123456789ab",
		`Environment=CTR_LITE_ROOT=/var/lib/ctr-lite "CTR_LITE_RUNROOT=/run/ctr $x"`, "Type=forking", "TimeoutStopSec=27", "WantedBy=multi-user.target",
		// systemd takes PIDFile= as it stands (no quotes), % as a specifier
		"PIDFile=/run/ctr $x/containers/0123456789ab/monitor.pid",
	} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks %q:\n%s", line, unit)
		}
	}
	assertNoPayload(t, unit)
	if _, err := Unit(hostileContainer(), &state.HostConfig{AutoRemove: true}, UnitOptions{Binary: "/b"}); err == nil {
		t.Error("a unit that can start a --rm container only once was written")
	}
	o.PIDFile = "/run/100%/monitor.pid"
	if unit, err := Unit(hostileContainer(), &state.HostConfig{}, o); err != nil || !strings.Contains(unit, "\nPIDFile=/run/100%%/monitor.pid\n") {
		t.Errorf("PIDFile= with %%: %v\n%s", err, unit)
	}
	for _, bad := range []string{"/run/x\nExecStartPre=/bin/evil/monitor.pid", "run/monitor.pid", "/run/x /monitor.pid ", ""} {
		o.PIDFile = bad
		if unit, err := Unit(hostileContainer(), &state.HostConfig{}, o); err == nil {
			t.Errorf("PIDFile %q written:\n%s", bad, unit)
		}
	}
}

// The executable of a command line is not expanded by systemd, so its $
// stays single; the arguments' are doubled.
func TestSystemdUnitBinaryDollar(t *testing.T) {
	c := hostileContainer()
	unit, err := Unit(c, &state.HostConfig{}, UnitOptions{Binary: "/opt/a$b/ctr-lite", Root: "/r$", RunRoot: "/rr", PIDFile: "/rr/p"})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"ExecStart=/opt/a$b/ctr-lite start 0123456789ab", "ExecStopPost=/opt/a$b/ctr-lite stop -t 0 0123456789ab", "Environment=CTR_LITE_ROOT=/r$ CTR_LITE_RUNROOT=/rr"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks %q:\n%s", line, unit)
		}
	}
}

// The CTR_LITE_* settings the container was created with are set again
// by the unit (default and --new), except the state directories, which
// are the unit's own; a relative path among them is refused.
func TestSystemdUnitCreateEnv(t *testing.T) {
	c := hostileContainer()
	c.Config.CreateEnv = []string{"CTR_LITE_RUNTIME=/opt/runc", "CTR_LITE_STORAGE_DRIVER=vfs", "CTR_LITE_ROOT=/elsewhere",
		"CTR_LITE_DEFAULT_SUBNET=10.7.0.0/16", "CTR_LITE_REGISTRIES_CONF=/etc/r y.json"}
	want := `Environment=CTR_LITE_ROOT=/r CTR_LITE_RUNROOT=/rr CTR_LITE_RUNTIME=/opt/runc CTR_LITE_STORAGE_DRIVER=vfs CTR_LITE_DEFAULT_SUBNET=10.7.0.0/16 "CTR_LITE_REGISTRIES_CONF=/etc/r y.json"`
	o := UnitOptions{Binary: "/b", Root: "/r", RunRoot: "/rr", PIDFile: "/rr/p"}
	for _, cmd := range []*CommandLine{nil, {Verb: "run", Operands: []string{"busybox"}}} {
		o.Command = cmd
		unit, err := Unit(c, &state.HostConfig{}, o)
		if err != nil || !strings.Contains(unit, "\n"+want+"\n") {
			t.Errorf("new %v: %v, want\n%s\ngot:\n%s", cmd != nil, err, want, unit)
		}
	}
	for _, kv := range []string{"CTR_LITE_RUNTIME=bin/runc", "CTR_LITE_REGISTRIES_CONF=r.json"} {
		c.Config.CreateEnv = []string{kv}
		if _, err := Unit(c, &state.HostConfig{}, o); err == nil || !strings.Contains(err.Error(), kv[strings.Index(kv, "=")+1:]) {
			t.Errorf("relative %s: %v", kv, err)
		}
	}
	c.Config.CreateEnv = []string{"CTR_LITE_RUNTIME=runc"}
	if _, err := Unit(c, &state.HostConfig{}, o); err != nil {
		t.Errorf("runtime by name: %v", err)
	}
}

func TestSystemdUnitNewRunsTheCreateCommand(t *testing.T) {
	c := hostileContainer()
	payload := c.Args[0]
	o := UnitOptions{Binary: "/usr/bin/ctr-lite", Root: "/r", RunRoot: "/rr", StopTimeout: 10, ImageEnv: []string{"A=" + payload}, Command: &CommandLine{
		Globals: []Arg{{Name: "root", Value: "./r", Words: []string{"--root", "./r"}}, {Name: "runtime", Value: "/opt/runc", Words: []string{"--runtime=/opt/runc"}}},
		Verb:    "run",
		Flags: []Arg{{Name: "detach", Value: "true", Words: []string{"-d"}}, {Name: "name", Value: "web", Words: []string{"--name", "web"}},
			{Name: "restart", Value: "on-failure:3", Words: []string{"--restart", "on-failure:3"}},
			{Name: "memory", Value: "64m", Words: []string{"-m", "64m"}}, {Name: "tty", Value: "true", Words: []string{"-t"}},
			{Name: "env", Value: "UNSET", Words: []string{"-e", "UNSET"}},
			{Name: "env", Value: "A", Words: []string{"-e", "A"}},
			{Name: "entrypoint", Value: "sh;", Words: []string{"--entrypoint", "sh;"}}},
		Operands: []string{"busybox", "-c", "echo 100% $HOME\n" + payload, ";"},
	}}
	unit, err := Unit(c, &state.HostConfig{AutoRemove: true}, o)
	if err != nil {
		t.Fatal(err)
	}
	want := `ExecStart=/usr/bin/ctr-lite --runtime=/opt/runc run -d --rm --replace --name web --sdnotify conmon -m 64m -t --entrypoint "sh;" busybox -c "echo 100%% $$HOME\n1000\nExecStartPre=/usr/bin/touch /tmp/pwned" ";"`
	for _, line := range []string{want, "ExecStop=/usr/bin/ctr-lite stop -t 10 web", "ExecStopPost=-/usr/bin/ctr-lite rm -f web", "Restart=on-failure", "StartLimitBurst=3",
		"Type=notify", "NotifyAccess=all", "TimeoutStopSec=30"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks\n%s\ngot:\n%s", line, unit)
		}
	}
	if !strings.HasPrefix(unit, "# container-0123456789ab.service, made by: ctr-lite generate systemd --new web\n") {
		t.Errorf("unit's header:\n%s", unit)
	}
	if strings.Count(unit, "\nExecStart=") != 1 || strings.Contains(unit, "\nExecStartPre=") {
		t.Errorf("payload made a directive:\n%s", unit)
	}
	if strings.Contains(unit, "--init") {
		t.Errorf("unit adds --init:\n%s", unit)
	}
	if strings.Contains(unit, "PIDFile=") || strings.Contains(unit, "Type=forking") {
		t.Errorf("a --new unit names a pid file of a container it replaces:\n%s", unit)
	}
	o.Command.Operands = nil
	if _, err := Unit(c, &state.HostConfig{AutoRemove: true}, o); err == nil {
		t.Error("a command line without an image was accepted")
	}
	o.Command.Operands = []string{"busybox"}
	for _, a := range []Arg{{Name: "env-file", Value: "env.list"}, {Name: "cidfile", Value: "./id"},
		{Name: "security-opt", Value: "seccomp=prof.json"}, {Name: "runtime", Value: "bin/runc"}} {
		o.Command.Flags = append(o.Command.Flags, a)
		if _, err := Unit(c, &state.HostConfig{}, o); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(a.Value, "seccomp=")) {
			t.Errorf("relative --%s %s: %v", a.Name, a.Value, err)
		}
		o.Command.Flags = o.Command.Flags[:len(o.Command.Flags)-1]
	}
	for _, a := range []Arg{{Name: "security-opt", Value: "seccomp=unconfined"}, {Name: "security-opt", Value: "no-new-privileges"}, {Name: "runtime", Value: "runc"}, {Name: "pidfile", Value: "/run/x.pid"}} {
		o.Command.Flags = append(o.Command.Flags, a)
	}
	if _, err := Unit(c, &state.HostConfig{}, o); err != nil {
		t.Errorf("absolute paths and names refused: %v", err)
	}
	o.Command.Operands = []string{"busybox", "a\x00b"}
	if _, err := Unit(c, &state.HostConfig{AutoRemove: true}, o); err == nil {
		t.Error("a NUL byte was written into a unit")
	}
}

// A value -e KEY took from the caller's environment is refused, so it
// is never written into a unit (world-readable, and shown in argv).
func TestSystemdUnitNewRefusesPassedEnv(t *testing.T) {
	c := hostileContainer()
	c.Config.Env = append(c.Config.Env, "SECRET=hunter2")
	o := UnitOptions{Binary: "/b", Root: "/r", RunRoot: "/rr", Command: &CommandLine{Verb: "run", Operands: []string{"busybox"},
		Flags: []Arg{{Name: "env", Value: "SECRET", Words: []string{"-e", "SECRET"}}}}}
	unit, err := Unit(c, &state.HostConfig{}, o)
	if err == nil {
		t.Fatalf("-e SECRET from the caller was written:\n%s", unit)
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, "took SECRET from your environment") || !strings.Contains(msg, "--env-file") {
		t.Errorf("error: %s", msg)
	}
}

// assertNoPayload: the unit has exactly one ExecStart= and no line
// that the payload began.
func assertNoPayload(t *testing.T, unit string) {
	t.Helper()
	if n := strings.Count(unit, "\nExecStart="); n != 1 {
		t.Errorf("%d ExecStart= lines:\n%s", n, unit)
	}
	for _, line := range strings.Split(unit, "\n") {
		if strings.HasPrefix(line, "ExecStartPre=") || strings.Contains(line, "pwned") {
			t.Errorf("payload reached the unit: %q", line)
		}
	}
}

func TestUnitRestart(t *testing.T) {
	for in, want := range map[string][2]string{"no": {"no", ""}, "always": {"always", ""}, "unless-stopped": {"always", ""},
		"on-failure": {"on-failure", ""}, "on-failure:5": {"on-failure", "5"}} {
		if r, b := unitRestart(in); r != want[0] || b != want[1] {
			t.Errorf("%q: %s %s, want %v", in, r, b, want)
		}
	}
}

// FuzzQuoteWord: whatever the word, its quoted form is one word on one
// line: no line break or control byte, balanced quotes, % and (in command
// lines) $ only doubled, so systemd reads neither a directive, a second
// word nor a specifier or variable out of it.
func FuzzQuoteWord(f *testing.F) {
	for _, s := range []string{"", "a b", "1000\nExecStartPre=/x", `\`, `"`, "'", ";", "%n", "${A}", "☃"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := quoteWord(s, true)
		if err != nil {
			return
		}
		for _, c := range q {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("%q quoted as %q: control character", s, q)
			}
		}
		inner, quoted := strings.CutPrefix(q, `"`)
		if quoted {
			if !strings.HasSuffix(inner, `"`) {
				t.Fatalf("%q quoted as %q: unbalanced", s, q)
			}
			inner = inner[:len(inner)-1]
		}
		for i := 0; i < len(inner); i++ {
			switch inner[i] {
			case '\\':
				if !quoted {
					t.Fatalf("%q quoted as %q: bare backslash", s, q)
				}
				i++ // the escaped character
			case '"', ' ', '\'', ';':
				if !quoted {
					t.Fatalf("%q quoted as %q: %q outside quotes", s, q, inner[i])
				}
				if inner[i] == '"' {
					t.Fatalf("%q quoted as %q: unescaped quote", s, q)
				}
			case '%', '$':
				if i+1 == len(inner) || inner[i+1] != inner[i] {
					t.Fatalf("%q quoted as %q: single %q", s, q, inner[i])
				}
				i++
			}
		}
	})
}

// A --new unit is Type=notify: its run gets the container's --sdnotify,
// or conmon (podman's rule) when it had none or ignore, which would
// leave systemd waiting for a READY=1 nobody sends.
func TestSystemdUnitNewNotifyMode(t *testing.T) {
	for _, tc := range []struct{ mode, want string }{{"", "conmon"}, {"ignore", "conmon"}, {"conmon", "conmon"}, {"healthy", "healthy"}, {"container", "container"}} {
		c := hostileContainer()
		c.Config.SdNotify = tc.mode
		o := UnitOptions{Binary: "/b", Root: "/r", RunRoot: "/rr", Command: &CommandLine{Verb: "run", Operands: []string{"busybox"},
			Flags: []Arg{{Name: "sdnotify", Value: tc.mode, Words: []string{"--sdnotify=" + tc.mode}}}}}
		unit, err := Unit(c, &state.HostConfig{}, o)
		want := "\nExecStart=/b run -d --rm --replace --name web --sdnotify " + tc.want + " busybox\n"
		if err != nil || !strings.Contains(unit, want) || strings.Count(unit, "--sdnotify") != 1 {
			t.Errorf("--sdnotify %q: %v, want %q in\n%s", tc.mode, err, want, unit)
		}
	}
}

// --name: the default unit starts and stops the container by its name,
// and both units are called container-NAME.service.
func TestSystemdUnitUseName(t *testing.T) {
	c := hostileContainer()
	o := UnitOptions{Binary: "/b", Root: "/r", RunRoot: "/rr", PIDFile: "/rr/p", UseName: true}
	unit, err := Unit(c, &state.HostConfig{}, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"# container-web.service, made by: ctr-lite generate systemd --name web", "ExecStart=/b start web", "ExecStop=/b stop -t 0 web", "Type=forking"} {
		if !strings.Contains(unit, line+"\n") {
			t.Errorf("unit lacks %q:\n%s", line, unit)
		}
	}
	if UnitName(c, true) != "container-web.service" || UnitName(c, false) != "container-0123456789ab.service" {
		t.Errorf("unit names %s, %s", UnitName(c, true), UnitName(c, false))
	}
}
