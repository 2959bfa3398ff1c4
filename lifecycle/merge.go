package lifecycle

import (
	"fmt"
	"strings"
	"time"

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
	// StopSignal and StopTimeout (seconds, nil: stop's default) are
	// --stop-signal and --stop-timeout, docker's Config fields.
	StopSignal  string
	StopTimeout *int
	// ExposedPorts are --expose's ("80/tcp"), added to the image's.
	ExposedPorts map[string]struct{}
	// SdNotify is --sdnotify, a state.SdNotify* mode ("": container).
	SdNotify string
	// Healthcheck is the --health-* flags (nil: none given) and
	// HealthOnFailure --health-on-failure.
	Healthcheck     *state.HealthConfig
	HealthOnFailure string
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
		StopTimeout: u.StopTimeout, SdNotify: u.SdNotify, Healthcheck: mergeHealthcheck(u.Healthcheck, img.Healthcheck),
		HealthcheckOnFailureAction: u.HealthOnFailure,
	}
	if len(u.ExposedPorts) > 0 {
		c.ExposedPorts = map[string]struct{}{}
		for _, m := range []map[string]struct{}{img.ExposedPorts, u.ExposedPorts} {
			for k := range m {
				c.ExposedPorts[k] = struct{}{}
			}
		}
	}
	if u.StopSignal != "" {
		c.StopSignal = u.StopSignal
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

// mergeHealthcheck is docker's merge of the user's healthcheck over the
// image's: none given takes the image's whole, else each unset field
// (empty test, zero duration or retries) takes the image's.
func mergeHealthcheck(user, image *state.HealthConfig) *state.HealthConfig {
	if user == nil {
		if image == nil {
			return nil
		}
		h := *image
		return &h
	}
	h := *user
	if image == nil {
		return &h
	}
	if len(h.Test) == 0 {
		h.Test = image.Test
	}
	for _, f := range []struct{ u, i *time.Duration }{{&h.Interval, &image.Interval}, {&h.Timeout, &image.Timeout},
		{&h.StartPeriod, &image.StartPeriod}, {&h.StartInterval, &image.StartInterval}} {
		if *f.u == 0 {
			*f.u = *f.i
		}
	}
	if h.Retries == 0 {
		h.Retries = image.Retries
	}
	return &h
}
