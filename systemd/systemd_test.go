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
	unit, err := Unit(hostileContainer(), &state.HostConfig{}, UnitOptions{Binary: "/usr/bin/ctr-lite", Root: "/var/lib/ctr-lite", RunRoot: "/run/ctr $x", StopTimeout: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"ExecStart=/usr/bin/ctr-lite start 0123456789ab", "ExecStop=/usr/bin/ctr-lite stop -t 7 0123456789ab",
		`Environment=CTR_LITE_ROOT=/var/lib/ctr-lite "CTR_LITE_RUNROOT=/run/ctr $x"`, "Type=forking", "TimeoutStopSec=27", "WantedBy=multi-user.target",
	} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks %q:\n%s", line, unit)
		}
	}
	assertNoPayload(t, unit)
	if _, err := Unit(hostileContainer(), &state.HostConfig{AutoRemove: true}, UnitOptions{Binary: "/b"}); err == nil {
		t.Error("a unit that can start a --rm container only once was written")
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
			{Name: "env", Value: "KEEP", Words: []string{"-e", "KEEP"}}, {Name: "env", Value: "UNSET", Words: []string{"-e", "UNSET"}},
			{Name: "env", Value: "A", Words: []string{"-e", "A"}},
			{Name: "entrypoint", Value: "sh;", Words: []string{"--entrypoint", "sh;"}}},
		Operands: []string{"busybox", "-c", "echo 100% $HOME\n" + payload, ";"},
	}}
	unit, err := Unit(c, &state.HostConfig{AutoRemove: true}, o)
	if err != nil {
		t.Fatal(err)
	}
	want := `ExecStart=/usr/bin/ctr-lite --runtime=/opt/runc run -d --rm --replace --name web -m 64m -t -e "KEEP=from me" --entrypoint "sh;" busybox -c "echo 100%% $$HOME\n1000\nExecStartPre=/usr/bin/touch /tmp/pwned" ";"`
	for _, line := range []string{want, "ExecStop=/usr/bin/ctr-lite stop -t 10 web", "ExecStopPost=-/usr/bin/ctr-lite rm -f web", "Restart=on-failure", "StartLimitBurst=3"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("unit lacks\n%s\ngot:\n%s", line, unit)
		}
	}
	if strings.Count(unit, "\nExecStart=") != 1 || strings.Contains(unit, "\nExecStartPre=") {
		t.Errorf("payload made a directive:\n%s", unit)
	}
	if strings.Contains(unit, "--init") {
		t.Errorf("unit adds --init:\n%s", unit)
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
