package opts

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// ParseEnv turns -e values into KEY=VALUE: a bare KEY takes the caller's
// value and is dropped when unset, as in docker.
func ParseEnv(values []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	for _, v := range values {
		k, _, hasValue := strings.Cut(v, "=")
		if k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("invalid environment variable %q: want KEY=VALUE or KEY", v)
		}
		if hasValue {
			out = append(out, v)
		} else if val, ok := lookup(k); ok {
			out = append(out, k+"="+val)
		}
	}
	return out, nil
}

// Environment is --env-file's lines (files in order) then -e's, each
// KEY=VALUE or KEY (taken from lookup), as docker reads run's and exec's.
func Environment(files, env []string, lookup func(string) (string, bool)) ([]string, error) {
	var raw []string
	for _, file := range files {
		lines, err := ReadEnvFile(file)
		if err != nil {
			return nil, err
		}
		raw = append(raw, lines...)
	}
	return ParseEnv(append(raw, env...), lookup)
}

// ReadEnvFile reads an --env-file: one KEY=VALUE or KEY a line, with
// blank lines and # comments skipped.
func ReadEnvFile(path string) ([]string, error) { return readLinesFile("env", path) }

// ReadLabelFile reads a --label-file into *labels, later lines winning,
// as docker's: KEY=VALUE (or KEY, an empty label) a line, blank lines
// and # comments skipped.
func ReadLabelFile(path string, labels map[string]string) error {
	lines, err := readLinesFile("label", path)
	for _, l := range lines {
		k, v, lerr := parseLabel(l)
		if lerr != nil {
			return fmt.Errorf("read label file %q: %w", path, lerr)
		}
		labels[k] = v
	}
	return err
}

func readLinesFile(kind, path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		// os.Open's *PathError, unwrapped: the message names the path
		return nil, fmt.Errorf("read %s file %q: %w", kind, path, errors.Unwrap(err))
	}
	defer f.Close()
	lines, err := ParseEnvFile(f)
	if err != nil {
		return nil, fmt.Errorf("read %s file %q: %w", kind, path, err)
	}
	return lines, nil
}

// ParseEnvFile reads env-file lines from r, skipping blanks and comments.
func ParseEnvFile(r io.Reader) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	return lines, sc.Err()
}

func parseLabel(v string) (key, value string, err error) {
	k, val, _ := strings.Cut(v, "=")
	if k == "" {
		return "", "", fmt.Errorf("invalid label %q: want KEY=VALUE", v)
	}
	return k, val, nil
}

// ParseRestartPolicy parses --restart: no, always, unless-stopped, or
// on-failure[:MAX-RETRIES].
func ParseRestartPolicy(s string) (state.RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	p := state.RestartPolicy{Name: name}
	switch {
	case name == "" || name == "no":
		p.Name = "no"
	case (name == "always" || name == "unless-stopped") && !hasCount:
	case name == "on-failure":
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				return p, fmt.Errorf("invalid --restart %q: the retry count must be a number", s)
			}
			p.MaximumRetryCount = n
		}
	default:
		return p, fmt.Errorf("invalid --restart %q: use no, always, unless-stopped or on-failure[:N]", s)
	}
	return p, nil
}
