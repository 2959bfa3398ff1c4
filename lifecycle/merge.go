package lifecycle

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// UserConfig is what the user asked for on the command line.
type UserConfig struct {
	Cmd        []string
	Entrypoint []string
	// EntrypointSet distinguishes --entrypoint "" (clear it) from no flag.
	EntrypointSet bool
	Env           []string
	WorkingDir    string
	User          string
	Hostname      string
	Domainname    string
	Labels        map[string]string
	Tty           bool
	OpenStdin     bool
}

// MergeConfig combines the image's defaults with the user's config the
// way docker's mergeAndVerifyConfig does: user env overrides image env by
// key; a user --entrypoint drops the image's Cmd; a user Cmd keeps the
// image's Entrypoint; workdir and user fall back to the image's.
func MergeConfig(img rootfs.ContainerDefaults, u UserConfig) (state.Config, error) {
	c := state.Config{
		Env: mergeEnv(img.Env, u.Env), WorkingDir: u.WorkingDir, User: u.User,
		Hostname: u.Hostname, Domainname: u.Domainname, Tty: u.Tty, OpenStdin: u.OpenStdin, AttachStdin: u.OpenStdin,
		AttachStdout: true, AttachStderr: true, StopSignal: img.StopSignal,
		Labels: map[string]string{}, ExposedPorts: img.ExposedPorts, Volumes: img.Volumes,
	}
	for k, v := range img.Labels {
		c.Labels[k] = v
	}
	for k, v := range u.Labels {
		c.Labels[k] = v
	}
	c.Entrypoint, c.Cmd = img.Entrypoint, img.Cmd
	if u.EntrypointSet {
		c.Entrypoint, c.Cmd = u.Entrypoint, nil
	}
	if len(u.Cmd) > 0 {
		c.Cmd = u.Cmd
	}
	if c.WorkingDir == "" {
		c.WorkingDir = img.WorkingDir
	}
	if c.User == "" {
		c.User = img.User
	}
	if len(c.Entrypoint) == 0 && len(c.Cmd) == 0 {
		return c, fmt.Errorf("no command specified: the image has no Cmd or Entrypoint; give a command after the image name")
	}
	return c, nil
}

// mergeEnv overlays user KEY=VALUE pairs on the image's, keeping order.
func mergeEnv(image, user []string) []string {
	out := append([]string(nil), image...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range user {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

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

// ReadEnvFile reads an --env-file: one KEY=VALUE or KEY a line, with
// blank lines and # comments skipped.
func ReadEnvFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	defer f.Close()
	lines, err := ParseEnvFile(f)
	if err != nil {
		return nil, fmt.Errorf("read env file %q: %w", path, err)
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

// ParseLabels turns -l KEY=VALUE values into a map.
func ParseLabels(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		k, val, _ := strings.Cut(v, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid label %q: want KEY=VALUE", v)
		}
		out[k] = val
	}
	return out, nil
}
