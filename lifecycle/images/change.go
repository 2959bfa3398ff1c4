package images

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// ApplyChanges applies import's and commit's --change instructions to cfg in order,
// with docker's (Dockerfile) rules: CMD, ENTRYPOINT and VOLUME take a JSON
// array or a shell form (CMD and ENTRYPOINT then run under /bin/sh -c),
// ENV and LABEL take KEY=VALUE pairs (quotes as in a shell) or the legacy
// "KEY VALUE...", EXPOSE takes PORT[-PORT][/PROTO] words, WORKDIR is
// relative to the previous one, HEALTHCHECK takes NONE or [OPTIONS] CMD
// (docker's options and defaults), ONBUILD keeps its instruction for a
// later build. $VAR in values is not expanded.
func ApplyChanges(cfg *rootfs.ContainerDefaults, changes []string) error {
	cmdSet := false
	for _, ch := range changes {
		instr, rest, _ := strings.Cut(strings.TrimSpace(ch), " ")
		rest = strings.TrimSpace(rest)
		if err := applyChange(cfg, strings.ToUpper(instr), rest, &cmdSet); err != nil {
			return fmt.Errorf("--change %q: %w", ch, err)
		}
	}
	return nil
}

func applyChange(cfg *rootfs.ContainerDefaults, instr, rest string, cmdSet *bool) error {
	switch instr {
	case "CMD", "ENTRYPOINT", "VOLUME", "ENV", "LABEL", "EXPOSE", "USER", "WORKDIR", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD":
		if rest == "" {
			return fmt.Errorf("%s requires at least one argument", instr)
		}
	default:
		return fmt.Errorf("%s is not a valid change command", strings.ToLower(instr))
	}
	switch instr {
	case "CMD":
		cfg.Cmd, *cmdSet = commandForm(rest), true
	case "ENTRYPOINT":
		cfg.Entrypoint = commandForm(rest)
		if !*cmdSet { // as a Dockerfile's ENTRYPOINT drops the base's CMD
			cfg.Cmd = nil
		}
	case "VOLUME":
		return addVolumes(cfg, rest)
	case "ENV", "LABEL":
		return addPairs(cfg, instr, rest)
	case "EXPOSE":
		return addPorts(cfg, rest)
	case "USER":
		cfg.User = rest
	case "WORKDIR":
		if !path.IsAbs(rest) {
			rest = path.Join("/", cfg.WorkingDir, rest)
		}
		cfg.WorkingDir = path.Clean(rest)
	case "STOPSIGNAL":
		cfg.StopSignal = rest
	case "HEALTHCHECK":
		h, err := parseHealthcheck(rest)
		if err != nil {
			return err
		}
		cfg.Healthcheck = h
	case "ONBUILD":
		return addOnBuild(cfg, rest)
	}
	return nil
}

// parseHealthcheck is HEALTHCHECK's argument: NONE, or options
// (--interval, --timeout, --start-period, --start-interval, --retries)
// then CMD in exec or shell form, as a Dockerfile's.
func parseHealthcheck(rest string) (*state.HealthConfig, error) {
	if strings.EqualFold(rest, "NONE") {
		return &state.HealthConfig{Test: []string{"NONE"}}, nil
	}
	h := &state.HealthConfig{}
	for strings.HasPrefix(rest, "--") {
		opt, after, _ := strings.Cut(rest, " ")
		rest = strings.TrimSpace(after)
		if err := healthOption(h, opt); err != nil {
			return nil, err
		}
	}
	word, cmd, _ := strings.Cut(rest, " ")
	cmd = strings.TrimSpace(cmd)
	if !strings.EqualFold(word, "CMD") || cmd == "" {
		return nil, fmt.Errorf("HEALTHCHECK takes NONE or [OPTIONS] CMD command, not %q", rest)
	}
	if words, ok := jsonForm(cmd); ok {
		h.Test = append([]string{"CMD"}, words...)
	} else {
		h.Test = []string{"CMD-SHELL", cmd}
	}
	return h, nil
}

func healthOption(h *state.HealthConfig, opt string) error {
	key, value, ok := strings.Cut(strings.TrimPrefix(opt, "--"), "=")
	if !ok {
		return fmt.Errorf("HEALTHCHECK option %q: want --NAME=VALUE", opt)
	}
	if key == "retries" {
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return fmt.Errorf("HEALTHCHECK --retries=%s: want a number of at least 0", value)
		}
		h.Retries = n
		return nil
	}
	fields := map[string]*time.Duration{"interval": &h.Interval, "timeout": &h.Timeout,
		"start-period": &h.StartPeriod, "start-interval": &h.StartInterval}
	field, known := fields[key]
	if !known {
		return fmt.Errorf("unknown HEALTHCHECK option %q: use --interval, --timeout, --start-period, --start-interval or --retries", opt)
	}
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return fmt.Errorf("HEALTHCHECK --%s=%s: want a duration such as 30s", key, value)
	}
	*field = d
	return nil
}

// addOnBuild keeps an ONBUILD instruction, refusing those a Dockerfile
// refuses there.
func addOnBuild(cfg *rootfs.ContainerDefaults, rest string) error {
	instr, args, _ := strings.Cut(rest, " ")
	switch up := strings.ToUpper(instr); up {
	case "ONBUILD", "FROM", "MAINTAINER":
		return fmt.Errorf("%s isn't allowed as an ONBUILD trigger", up)
	default:
		cfg.OnBuild = append(cfg.OnBuild, strings.TrimSpace(up+" "+strings.TrimSpace(args)))
	}
	return nil
}

// jsonForm is rest as a JSON array of strings, if it is one.
func jsonForm(rest string) ([]string, bool) {
	var words []string
	if !strings.HasPrefix(rest, "[") || json.Unmarshal([]byte(rest), &words) != nil {
		return nil, false
	}
	return words, true
}

// commandForm is CMD's and ENTRYPOINT's argument: the JSON array, or the
// shell form run by /bin/sh -c.
func commandForm(rest string) []string {
	if words, ok := jsonForm(rest); ok {
		return words
	}
	return []string{"/bin/sh", "-c", rest}
}

func addVolumes(cfg *rootfs.ContainerDefaults, rest string) error {
	vols, ok := jsonForm(rest)
	if !ok {
		vols = strings.Fields(rest)
	}
	for _, v := range vols {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("VOLUME specified can not be an empty string")
		}
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[v] = struct{}{}
	}
	return nil
}

// addPairs is ENV and LABEL: KEY=VALUE words, or the legacy KEY VALUE.
func addPairs(cfg *rootfs.ContainerDefaults, instr, rest string) error {
	words, err := shellWords(rest)
	if err != nil {
		return err
	}
	var pairs [][2]string
	if first, _, _ := strings.Cut(rest, " "); !strings.Contains(first, "=") {
		key, value, _ := strings.Cut(rest, " ")
		vw, err := shellWords(strings.TrimSpace(value))
		if err != nil {
			return err
		}
		pairs = append(pairs, [2]string{key, strings.Join(vw, " ")})
	} else {
		for _, w := range words {
			k, v, ok := strings.Cut(w, "=")
			if !ok || k == "" {
				return fmt.Errorf("%s names must be followed by = and a value: %q", instr, w)
			}
			pairs = append(pairs, [2]string{k, v})
		}
	}
	for _, p := range pairs {
		if instr == "LABEL" {
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[p[0]] = p[1]
			continue
		}
		cfg.Env = setEnv(cfg.Env, p[0], p[1])
	}
	return nil
}

func setEnv(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}

// addPorts is EXPOSE: PORT[-PORT][/PROTO] words, tcp by default.
func addPorts(cfg *rootfs.ContainerDefaults, rest string) error {
	for _, w := range strings.Fields(rest) {
		spec, proto, ok := strings.Cut(w, "/")
		if !ok {
			proto = "tcp"
		}
		proto = strings.ToLower(proto)
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return fmt.Errorf("invalid proto %q in EXPOSE %s", proto, w)
		}
		lo, hi, isRange := strings.Cut(spec, "-")
		if !isRange {
			hi = lo
		}
		first, err1 := strconv.ParseUint(lo, 10, 16)
		last, err2 := strconv.ParseUint(hi, 10, 16)
		if err1 != nil || err2 != nil || last < first {
			return fmt.Errorf("invalid containerPort: %s", spec)
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for p := first; p <= last; p++ {
			cfg.ExposedPorts[strconv.FormatUint(p, 10)+"/"+proto] = struct{}{}
		}
	}
	return nil
}

// shellWords splits s into words as a Dockerfile does: whitespace outside
// quotes separates, single quotes keep everything, double quotes and a
// backslash outside single quotes escape the next character.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			inWord = true
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unmatched quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
