package systemd

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// Quadlet files: a `NAME.container` file in podman's Quadlet form
// becomes NAME.service, whose ExecStart is a foreground `ctr-lite run
// --rm --replace --name NAME ...` (Type=simple). Foreground, because
// ctr-lite has no journald log driver and no sd_notify: the run streams
// the container's output to the journal and exits with its status, so
// Restart= sees a container that failed. The [Container] keys become
// flags word by word, every word quoted by quoteWord, so no value can
// become a directive; [Unit], [Service] and [Install] lines are the
// file author's own directives and pass through as written.

// quadletStopTimeout is ExecStop's -t; TimeoutStopSec= leaves it room.
const quadletStopTimeout = 10

// QuadletUnit is the service made from one .container file.
type QuadletUnit struct {
	Name    string   // NAME.service
	Text    string   // the unit file
	Wants   []string // targets whose .wants/ link to it ([Install] WantedBy=)
	Require []string // and .requires/ (RequiredBy=)
}

// unitFile is a parsed unit file: its sections in order, each key's
// assignments in order (repeated sections are one).
type unitFile struct {
	path     string
	order    []string
	sections map[string][]entry
}

type entry struct{ key, value string }

var keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// unitName is what a generated unit may be called (systemd.unit(5)
// allows \ too, which ctr-lite does not write).
var unitName = regexp.MustCompile(`^[A-Za-z0-9:_.-]+$`)

// parseUnitFile reads systemd.syntax(7): comments (# ;), [sections],
// KEY=VALUE with the blanks around KEY and VALUE dropped, and a line
// ending in a backslash continued on the next (comment lines inside a
// continuation dropped).
func parseUnitFile(path, text string) (*unitFile, error) {
	u := &unitFile{path: path, sections: map[string][]entry{}}
	section, cont, contLine := "", "", 0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if cont != "" && (strings.HasPrefix(strings.TrimSpace(line), "#") || strings.HasPrefix(strings.TrimSpace(line), ";")) {
			continue
		}
		if cont != "" {
			line, i = cont+" "+strings.TrimLeft(line, " \t"), contLine
		}
		if strings.HasSuffix(line, `\`) {
			cont, contLine = strings.TrimSuffix(line, `\`), i
			continue
		}
		cont = ""
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		case trimmed[0] == '[':
			if !strings.HasSuffix(trimmed, "]") || len(trimmed) < 3 {
				return nil, fmt.Errorf("line %d of %s: %q is no [section]", i+1, path, trimmed)
			}
			section = trimmed[1 : len(trimmed)-1]
			if _, ok := u.sections[section]; !ok {
				u.order = append(u.order, section)
				u.sections[section] = nil
			}
		default:
			key, value, ok := strings.Cut(trimmed, "=")
			key, value = strings.TrimSpace(key), strings.TrimSpace(value)
			if !ok || !keyName.MatchString(key) {
				return nil, fmt.Errorf("line %d of %s: %q is no KEY=VALUE", i+1, path, trimmed)
			}
			if section == "" {
				return nil, fmt.Errorf("line %d of %s: %s= is before any [section]", i+1, path, key)
			}
			u.sections[section] = append(u.sections[section], entry{key, value})
		}
	}
	if cont != "" {
		return nil, fmt.Errorf("line %d of %s: the file ends inside a continued line", contLine+1, path)
	}
	return u, nil
}

// containerKey says how a [Container] key becomes run's words.
type containerKey struct {
	flag  string // the run flag, "" for one handled by hand
	multi bool   // repeatable (an empty assignment clears the list, as in systemd)
	words bool   // each value is split into words by systemd's quoting
}

// containerKeys are the [Container] keys ctr-lite reads; any other is an
// error. Their flags are written in flagOrder.
var containerKeys = map[string]containerKey{
	"Image":             {},
	"ContainerName":     {},
	"Exec":              {words: true},
	"User":              {flag: "--user"},
	"WorkingDir":        {flag: "--workdir"},
	"Network":           {flag: "--network"},
	"PublishPort":       {flag: "--publish", multi: true},
	"Volume":            {flag: "--volume", multi: true},
	"Environment":       {flag: "--env", multi: true, words: true},
	"EnvironmentFile":   {flag: "--env-file", multi: true, words: true},
	"Label":             {flag: "--label", multi: true, words: true},
	"HealthCmd":         {flag: "--health-cmd"},
	"HealthInterval":    {flag: "--health-interval"},
	"HealthTimeout":     {flag: "--health-timeout"},
	"HealthRetries":     {flag: "--health-retries"},
	"HealthStartPeriod": {flag: "--health-start-period"},
	"HealthOnFailure":   {flag: "--health-on-failure"},
	"PodmanArgs":        {multi: true, words: true},
}

var flagOrder = []string{"User", "WorkingDir", "Network", "PublishPort", "Volume", "Environment", "EnvironmentFile",
	"Label", "HealthCmd", "HealthInterval", "HealthTimeout", "HealthRetries", "HealthStartPeriod", "HealthOnFailure"}

// serviceOwned are [Service] keys the generated unit sets itself.
var serviceOwned = map[string]bool{"Type": true, "ExecStart": true, "ExecStop": true, "ExecStopPost": true}

// runOwned are run flags the unit sets itself (ContainerName= names the
// container; systemd's Restart= restarts it).
var runOwned = map[string]string{"--name": "ContainerName=", "--rm": "", "--replace": "", "-d": "", "--detach": "",
	"--restart": "Restart= in [Service]"}

// Quadlet translates the .container file at path (its text) into a
// service that runs binary; errors name the file and what is wrong.
func Quadlet(binary, path, text string) (*QuadletUnit, error) {
	base := filepath.Base(path)
	stem, ok := strings.CutSuffix(base, ".container")
	if !ok || stem == "" {
		return nil, fmt.Errorf("%s: a Quadlet container file is named NAME.container", path)
	}
	if strings.Contains(stem, "@") {
		return nil, fmt.Errorf("%s: template units (NAME@.container) are not supported yet", path)
	}
	if !unitName.MatchString(stem) {
		return nil, fmt.Errorf("%q: NAME of NAME.container must be a unit name: letters, digits and :_.-", path)
	}
	u, err := parseUnitFile(path, text)
	if err != nil {
		return nil, err
	}
	q, err := u.translate(binary, stem)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return q, nil
}

// values are the [Container] assignments by key: the last for a single
// key, all since the last empty one for a repeatable key.
func (u *unitFile) values() (map[string][]string, error) {
	for _, s := range u.order {
		switch s {
		case "Container", "Unit", "Service", "Install":
		default:
			return nil, fmt.Errorf("unknown section [%s]: ctr-lite reads [Container], [Unit], [Service] and [Install]", s)
		}
	}
	vals := map[string][]string{}
	for _, e := range u.sections["Container"] {
		k, ok := containerKeys[e.key]
		switch {
		case !ok:
			return nil, fmt.Errorf("unknown key %s= in [Container]", e.key)
		case e.value == "":
			delete(vals, e.key)
		case k.multi:
			vals[e.key] = append(vals[e.key], e.value)
		default:
			vals[e.key] = []string{e.value}
		}
	}
	for _, e := range u.sections["Service"] {
		if serviceOwned[e.key] {
			return nil, fmt.Errorf("%s= in [Service] is set by ctr-lite; drop it", e.key)
		}
	}
	return vals, nil
}

func (u *unitFile) translate(binary, stem string) (*QuadletUnit, error) {
	vals, err := u.values()
	if err != nil {
		return nil, err
	}
	args, err := u.runArgs(vals)
	if err != nil {
		return nil, err
	}
	name := "systemd-" + stem // podman's default, systemd-%N
	if v := vals["ContainerName"]; v != nil {
		name = v[0]
	}
	if !state.ValidName(name) {
		return nil, fmt.Errorf("container name %q is not valid: use letters, digits and _.- (set ContainerName=)", name)
	}
	start, stop, stopPost := runLines(binary, nil, name, false, args, quadletStopTimeout)
	q := &QuadletUnit{Name: stem + ".service"}
	w := &unitWriter{}
	w.line("# " + q.Name + ", made by ctr-lite generate quadlet from " + strings.ReplaceAll(u.path, "\n", " "))
	w.line("[Unit]")
	w.line("Wants=network-online.target")
	w.line("After=network-online.target")
	w.path("SourcePath=", u.path)
	u.passThrough(w, "Unit")
	w.line("")
	w.line("[Service]")
	// Defaults the file's [Service] may change: stop kills what is left
	// of the unit after ExecStop (mixed: the main process gets SIGTERM
	// first), the journal names lines by the unit, not "ctr-lite", and a
	// container that ExecStop's SIGTERM ended (143, under --init) has
	// stopped, not failed.
	w.line("KillMode=mixed")
	w.line("SyslogIdentifier=%N")
	w.line(fmt.Sprintf("TimeoutStopSec=%d", quadletStopTimeout+20))
	w.line("SuccessExitStatus=143")
	u.passThrough(w, "Service")
	w.line("Type=simple")
	w.words("ExecStart=", true, start...)
	w.words("ExecStop=", true, stop...)
	w.words("ExecStopPost=", true, stopPost...)
	if len(u.sections["Install"]) > 0 {
		w.line("")
		w.line("[Install]")
		u.passThrough(w, "Install")
	}
	for _, e := range u.sections["Install"] {
		switch e.key {
		case "WantedBy":
			q.Wants = append(q.Wants, strings.Fields(e.value)...)
		case "RequiredBy":
			q.Require = append(q.Require, strings.Fields(e.value)...)
		}
	}
	q.Text = w.b.String()
	return q, w.err
}

// passThrough copies a section's lines: they are the file's own
// directives, one line each (a continuation was joined when parsed).
func (u *unitFile) passThrough(w *unitWriter, section string) {
	for _, e := range u.sections[section] {
		w.line(e.key + "=" + e.value)
	}
}

// runArgs are run's flags, IMAGE and Exec's words.
func (u *unitFile) runArgs(vals map[string][]string) ([]string, error) {
	image := vals["Image"]
	if image == nil {
		return nil, errors.New("no Image= in [Container]")
	}
	if v := vals["Network"]; len(v) > 0 && (strings.HasSuffix(v[0], ".network") || strings.HasSuffix(v[0], ".container")) {
		return nil, fmt.Errorf("Network=%s names a Quadlet unit, which ctr-lite does not read yet: name a network or container:NAME", v[0])
	}
	var args []string
	for _, key := range flagOrder {
		k := containerKeys[key]
		for _, v := range vals[key] {
			words, err := u.keyWords(key, k, v)
			if err != nil {
				return nil, err
			}
			for _, word := range words {
				args = append(args, k.flag, word)
			}
		}
	}
	for _, v := range vals["PodmanArgs"] {
		words, err := splitWords(v)
		if err != nil {
			return nil, fmt.Errorf("PodmanArgs=: %w", err)
		}
		for _, word := range words {
			flag, _, _ := strings.Cut(word, "=")
			if instead, owned := runOwned[flag]; owned {
				if instead == "" {
					instead = "nothing: the unit sets it"
				}
				return nil, fmt.Errorf("PodmanArgs=: %s is the unit's own: use %s", flag, instead)
			}
		}
		args = append(args, words...)
	}
	args = append(args, image[0])
	if v := vals["Exec"]; v != nil {
		words, err := splitWords(v[0])
		if err != nil {
			return nil, fmt.Errorf("Exec=: %w", err)
		}
		args = append(args, words...)
	}
	return args, nil
}

// keyWords are the values one assignment of key gives its flag.
func (u *unitFile) keyWords(key string, k containerKey, v string) ([]string, error) {
	words := []string{v}
	if k.words {
		var err error
		if words, err = splitWords(v); err != nil {
			return nil, fmt.Errorf("%s=: %w", key, err)
		}
	}
	for i, word := range words {
		switch key {
		case "Environment", "Label":
			if k, _, ok := strings.Cut(word, "="); !ok || k == "" {
				return nil, fmt.Errorf("%s=: %q is not KEY=VALUE", key, word)
			}
		case "EnvironmentFile":
			words[i] = u.fromFileDir(word)
		case "Volume": // a source that starts with "." is relative to the file, as in Quadlet
			if src, rest, ok := strings.Cut(word, ":"); ok && strings.HasPrefix(src, ".") {
				words[i] = u.fromFileDir(src) + ":" + rest
			}
		}
	}
	return words, nil
}

// fromFileDir is p made absolute against the Quadlet file's directory:
// the unit runs in /.
func (u *unitFile) fromFileDir(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(u.path), p)
}

// splitWords splits a value into words as systemd does for command
// lines (extract_first_word with quotes and C escapes): blanks separate
// words, "..." and '...' group them, \n \t \\ \" \' \s \xNN \NNN escape.
func splitWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == 0 && (c == ' ' || c == '\t'):
			if in {
				words, in = append(words, b.String()), false
				b.Reset()
			}
		case quote == 0 && (c == '"' || c == '\''):
			quote, in = c, true
		case c == quote:
			quote = 0
		case c == '\\':
			n, r, err := unescape(s[i+1:])
			if err != nil {
				return nil, fmt.Errorf("%q: %w", s, err)
			}
			b.WriteString(r)
			i += n
			in = true
		default:
			b.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%q has an unbalanced %c", s, quote)
	}
	if in {
		words = append(words, b.String())
	}
	return words, nil
}

var simpleEscapes = map[byte]string{'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v",
	'\\': `\`, '"': `"`, '\'': `'`, 's': " "}

// unescape reads the escape after a backslash: how many bytes it used
// and what it stands for.
func unescape(s string) (int, string, error) {
	if s == "" {
		return 0, "", errors.New("it ends in a backslash")
	}
	if r, ok := simpleEscapes[s[0]]; ok {
		return 1, r, nil
	}
	switch {
	case s[0] == 'x' && len(s) >= 3:
		if v, err := strconv.ParseUint(s[1:3], 16, 8); err == nil {
			return 3, string([]byte{byte(v)}), nil
		}
	case s[0] >= '0' && s[0] <= '3' && len(s) >= 3:
		if v, err := strconv.ParseUint(s[:3], 8, 8); err == nil {
			return 3, string([]byte{byte(v)}), nil
		}
	}
	return 0, "", fmt.Errorf(`\%c is no escape systemd knows`, s[0])
}
