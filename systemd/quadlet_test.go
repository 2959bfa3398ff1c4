package systemd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const bin = "/usr/bin/ctr-lite"

// execStart is the ExecStart= line of a Quadlet file's unit, after
// "ExecStart=/usr/bin/ctr-lite run --rm --replace --name NAME ".
func execStart(t *testing.T, file string) string {
	t.Helper()
	q, err := Quadlet(bin, "/etc/containers/systemd/web.container", file)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, l := range strings.Split(q.Text, "\n") {
		if s, ok := strings.CutPrefix(l, "ExecStart="); ok {
			return s
		}
	}
	t.Fatalf("no ExecStart in %s", q.Text)
	return ""
}

func TestQuadletKeys(t *testing.T) {
	const head = bin + " run --rm --replace --name systemd-web "
	for _, tc := range []struct{ keys, want string }{
		{"Image=busybox", head + "busybox"},
		{"Image=busybox\nExec=sleep 100", head + "busybox sleep 100"},
		{"Image=busybox\nExec=sh -c 'echo \"a b\"; exit 3'", head + `busybox sh -c "echo \"a b\"; exit 3"`},
		{"Image=busybox\nExec=a\nExec=b c", head + "busybox b c"}, // the last wins
		{"Image=old\nImage=busybox", head + "busybox"},
		{"Image=busybox\nContainerName=web1", bin + " run --rm --replace --name web1 busybox"},
		{"Image=busybox\nPublishPort=8080:80\nPublishPort=127.0.0.1::53/udp", head + "--publish 8080:80 --publish 127.0.0.1::53/udp busybox"},
		{"Image=busybox\nPublishPort=1:1\nPublishPort=\nPublishPort=2:2", head + "--publish 2:2 busybox"}, // empty clears
		{"Image=busybox\nVolume=/srv:/srv:ro\nVolume=data:/data\nVolume=/anon\nVolume=./rel:/rel", head +
			"--volume /srv:/srv:ro --volume data:/data --volume /anon --volume /etc/containers/systemd/rel:/rel busybox"},
		{`Image=busybox` + "\n" + `Environment=A=1 "B=two words" 'C=x"y'` + "\nEnvironment=D=", head + `--env A=1 --env "B=two words" --env "C=x\"y" --env D= busybox`},
		{"Image=busybox\nEnvironmentFile=/etc/web.env\nEnvironmentFile=web.env", head + "--env-file /etc/web.env --env-file /etc/containers/systemd/web.env busybox"},
		{"Image=busybox\nNetwork=none", head + "--network none busybox"},
		{"Image=busybox\nLabel=a=b \"c=d e\"", head + `--label a=b --label "c=d e" busybox`},
		{"Image=busybox\nUser=nobody:nogroup\nWorkingDir=/srv/my app", head + `--user nobody:nogroup --workdir "/srv/my app" busybox`},
		{"Image=busybox\nHealthCmd=wget -q -O- http://localhost/\nHealthInterval=5s\nHealthTimeout=2s\nHealthRetries=3\nHealthStartPeriod=1m\nHealthOnFailure=kill", head +
			`--health-cmd "wget -q -O- http://localhost/" --health-interval 5s --health-timeout 2s --health-retries 3 --health-start-period 1m --health-on-failure kill busybox`},
		{"Image=busybox\nPodmanArgs=--memory 64m --cap-add=NET_ADMIN\nPodmanArgs=-t", head + "--memory 64m --cap-add=NET_ADMIN -t busybox"},
		{"Image=busybox\nExec=echo 1\\\n  2 \\\n# a comment inside\n  3", head + "busybox echo 1 2 3"},
		{"  Image  =  busybox  ", head + "busybox"},
	} {
		if got := execStart(t, "[Container]\n"+tc.keys+"\n"); got != tc.want {
			t.Errorf("%q:\n got  %s\n want %s", tc.keys, got, tc.want)
		}
	}
}

// Nothing a value says becomes a directive, a second command, a
// specifier or a variable: each is one quoted word of ExecStart.
func TestQuadletHostileValues(t *testing.T) {
	const head = bin + " run --rm --replace --name systemd-web "
	for _, tc := range []struct{ keys, want string }{
		{`Image=busybox` + "\n" + `Exec=sh -c "a\nExecStartPre=/bin/touch /tmp/pwned"`, head + `busybox sh -c "a\nExecStartPre=/bin/touch /tmp/pwned"`},
		{"Image=busybox\nExec=echo %n $HOME ${X} ; \\\\ \\x41", head + `busybox echo %%n $$HOME "$${X}" ";" "\\" A`},
		{"Image=busy;box\nUser=a\\nb", head + `--user "a\\nb" "busy;box"`}, // single-word keys are taken as written
		{"Image=busybox\nHealthCmd=true\\nExecStartPre=x", head + `--health-cmd "true\\nExecStartPre=x" busybox`},
		{"Image=busybox\nEnvironment=\"A=1\\nExecStartPre=/bin/x\"", head + `--env "A=1\nExecStartPre=/bin/x" busybox`},
		{"Image=busybox\nLabel=\"l=grüße ☃ %i\"", head + `--label "l=grüße ☃ %%i" busybox`},
	} {
		got := execStart(t, "[Container]\n"+tc.keys+"\n")
		if got != tc.want {
			t.Errorf("%q:\n got  %s\n want %s", tc.keys, got, tc.want)
		}
	}
}

func TestQuadletUnit(t *testing.T) {
	q, err := Quadlet(bin, "/etc/containers/systemd/web.container", `
[Unit]
Description=web
[Container]
Image=busybox
[Service]
Restart=on-failure
Environment=CTR_LITE_STORAGE_DRIVER=vfs
[Install]
WantedBy=multi-user.target default.target
RequiredBy=x.target
`)
	if err != nil {
		t.Fatal(err)
	}
	want := `# web.service, made by ctr-lite generate quadlet from /etc/containers/systemd/web.container
[Unit]
Wants=network-online.target
After=network-online.target
SourcePath=/etc/containers/systemd/web.container
Description=web

[Service]
KillMode=mixed
SyslogIdentifier=%N
TimeoutStopSec=30
SuccessExitStatus=143
Restart=on-failure
Environment=CTR_LITE_STORAGE_DRIVER=vfs
Type=simple
ExecStart=/usr/bin/ctr-lite run --rm --replace --name systemd-web busybox
ExecStop=/usr/bin/ctr-lite stop -t 10 systemd-web
ExecStopPost=-/usr/bin/ctr-lite rm -f systemd-web

[Install]
WantedBy=multi-user.target default.target
RequiredBy=x.target
`
	if q.Name != "web.service" || q.Text != want {
		t.Errorf("%s:\n%s\nwant\n%s", q.Name, q.Text, want)
	}
	if strings.Join(q.Wants, ",") != "multi-user.target,default.target" || strings.Join(q.Require, ",") != "x.target" {
		t.Errorf("wants %q requires %q", q.Wants, q.Require)
	}
}

func TestQuadletErrors(t *testing.T) {
	for _, tc := range []struct{ path, file, want string }{
		{"web.container", "[Container]\nImage=busybox\nBogus=1", "web.container: unknown key Bogus= in [Container]"},
		{"web.container", "[Container]\nImage=busybox\n[Pod]\nX=1", "unknown section [Pod]"},
		{"web.container", "[Container]\nExec=true", "no Image="},
		{"web.container", "[Container]\nImage=busybox\nImage=", "no Image="},
		{"web.container", "Image=busybox", "before any [section]"},
		{"web.container", "[Container]\nImage busybox", "line 2 of /q/web.container: \"Image busybox\" is no KEY=VALUE"},
		{"web.container", "[Container\nImage=busybox", "is no [section]"},
		{"web.container", "[Container]\nImage=busybox\\", "ends inside a continued line"},
		{"web.container", "[Container]\nImage=busybox\nExec=sh -c 'x", "unbalanced '"},
		{"web.container", "[Container]\nImage=busybox\nExec=a\\q", `\q is no escape`},
		{"web.container", "[Container]\nImage=busybox\nExec=a\\x00", "NUL"},
		{"web.container", "[Container]\nImage=busybox\nExec=a\\xff", "UTF-8"},
		{"web.container", "[Container]\nImage=busybox\nEnvironment=A", `"A" is not KEY=VALUE`},
		{"web.container", "[Container]\nImage=busybox\nLabel==x", `"=x" is not KEY=VALUE`},
		{"web.container", "[Container]\nImage=busybox\nContainerName=bad name", "not valid"},
		{"web.container", "[Container]\nImage=busybox\nNetwork=back.network", "Quadlet unit"},
		{"web.container", "[Container]\nImage=busybox\nPodmanArgs=--name=x", "--name is the unit's own: use ContainerName="},
		{"web.container", "[Container]\nImage=busybox\nPodmanArgs=--restart always", "use Restart= in [Service]"},
		{"web.container", "[Container]\nImage=busybox\nPodmanArgs=-d", "-d is the unit's own"},
		{"web.container", "[Container]\nImage=busybox\n[Service]\nExecStart=/bin/sh", "ExecStart= in [Service] is set by ctr-lite"},
		{"web.container", "[Container]\nImage=busybox\n[Service]\nType=forking", "Type= in [Service]"},
		{"web@.container", "[Container]\nImage=busybox", "template units"},
		{"we b.container", "[Container]\nImage=busybox", "must be a unit name"},
		{"web.service", "[Container]\nImage=busybox", "named NAME.container"},
		{"relative/web.container", "[Container]\nImage=busybox", "cannot be written into a unit"}, // SourcePath= must be absolute
	} {
		path := tc.path
		if !strings.Contains(path, "/") {
			path = "/q/" + path
		}
		_, err := Quadlet(bin, path, tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: got %v, want one line with %q", tc.file, err, tc.want)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		"":                  nil,
		"  a  b\tc ":        {"a", "b", "c"},
		`"a b" 'c d'`:       {"a b", "c d"},
		`x"a b"y`:           {"xa by"},
		`""`:                {""},
		`a\sb \"q\" \101`:   {"a b", `"q"`, "A"},
		`'it\'s' "\t"`:      {"it's", "\t"},
		`"semi;colon" ; \\`: {"semi;colon", ";", `\`},
	} {
		got, err := splitWords(in)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// The generator writes every good file's unit and its [Install] links,
// names each bad file on one line, and the first directory's file of a
// name wins.
func TestGenerate(t *testing.T) {
	first, second, out := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(dir, name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(first, "web.container", "[Container]\nImage=busybox\n[Install]\nWantedBy=multi-user.target\n")
	write(second, "web.container", "[Container]\nImage=other\n")
	write(second, "db.container", "[Container]\nImage=busybox\nNope=1\n")
	write(second, "cache.container", "[Container]\nImage=busybox\n")
	write(second, "notes.txt", "not a unit")
	var errs bytes.Buffer
	err := Generate(GeneratorOptions{Binary: bin, Dirs: []string{first, second, filepath.Join(first, "missing")}, Out: filepath.Join(out, "gen"), Errors: &errs})
	if err != ErrGenerator {
		t.Errorf("Generate: %v, want ErrGenerator", err)
	}
	if want := "ctr-lite generate quadlet: " + filepath.Join(second, "db.container") + ": unknown key Nope= in [Container]\n"; errs.String() != want {
		t.Errorf("stderr %q, want %q", errs.String(), want)
	}
	web, err := os.ReadFile(filepath.Join(out, "gen", "web.service"))
	if err != nil || !strings.Contains(string(web), " busybox\n") {
		t.Errorf("web.service: %s %v", web, err)
	}
	if _, err := os.Stat(filepath.Join(out, "gen", "cache.service")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(out, "gen", "db.service")); err == nil {
		t.Error("db.service written from a bad file")
	}
	if l, err := os.Readlink(filepath.Join(out, "gen", "multi-user.target.wants", "web.service")); err != nil || l != "../web.service" {
		t.Errorf("wants link %q %v", l, err)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "gen"))
	if len(entries) != 3 { // web.service cache.service multi-user.target.wants
		t.Errorf("output has %d entries", len(entries))
	}
}

func TestGenerateRefusesAPathInInstall(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "web.container"), []byte("[Container]\nImage=busybox\n[Install]\nWantedBy=../../etc/evil\n"), 0o644)
	var errs bytes.Buffer
	if err := Generate(GeneratorOptions{Binary: bin, Dirs: []string{dir}, Out: out, Errors: &errs}); err != ErrGenerator || !strings.Contains(errs.String(), "no unit name") {
		t.Errorf("%v %q", err, errs.String())
	}
}
