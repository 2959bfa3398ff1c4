package opts

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// The --health-* flags write into one *state.HealthConfig, made by the
// first of them given: nil means none given, so the image's HEALTHCHECK
// applies whole (docker's client builds it the same way).

func healthOf(p **state.HealthConfig) *state.HealthConfig {
	if *p == nil {
		*p = &state.HealthConfig{}
	}
	return *p
}

// HealthCmd is --health-cmd: a shell command, docker's ["CMD-SHELL", CMD].
func HealthCmd(p **state.HealthConfig) Value {
	return &value{typ: "string", set: func(s string) error {
		if s == "" { // docker's client treats an empty one as not given
			return nil
		}
		healthOf(p).Test = []string{"CMD-SHELL", s}
		return nil
	}}
}

// HealthDuration is one of --health-interval, --health-timeout,
// --health-start-period, --health-start-interval: a Go duration, 0 for
// docker's default, else at least 1ms (docker's daemon's limit).
func HealthDuration(p **state.HealthConfig, flag string, field func(*state.HealthConfig) *time.Duration) Value {
	return &value{typ: "duration", set: func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("invalid %s %q: want a duration such as 30s or 1m", flag, s)
		}
		if d < 0 {
			return fmt.Errorf("%s cannot be negative", flag) // docker's words
		}
		if d > 0 && d < time.Millisecond {
			return fmt.Errorf("invalid %s %q: it cannot be less than 1ms", flag, s)
		}
		*field(healthOf(p)) = d
		return nil
	}}
}

// HealthRetries is --health-retries: failures in a row that make the
// container unhealthy (0: docker's 3).
func HealthRetries(p **state.HealthConfig) Value {
	return &value{typ: "int", set: func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("invalid --health-retries %q: want a whole number", s)
		}
		if n < 0 {
			return errors.New("--health-retries cannot be negative") // docker's words
		}
		healthOf(p).Retries = n
		return nil
	}}
}

// Healthcheck finishes the --health-* flags with --no-healthcheck, as
// docker's client: it conflicts with any of them and is the test NONE.
func Healthcheck(p **state.HealthConfig, noHealthcheck bool) error {
	if !noHealthcheck {
		return nil
	}
	if *p != nil {
		return errors.New("--no-healthcheck conflicts with --health-* options") // docker's words
	}
	*p = &state.HealthConfig{Test: []string{"NONE"}}
	return nil
}

// HealthOnFailure is --health-on-failure (podman's): none, kill, restart
// or stop.
func HealthOnFailure(p *string) Value {
	return &value{typ: "string", set: func(s string) error {
		switch s {
		case "none", "kill", "restart", "stop":
			*p = s
			return nil
		}
		return fmt.Errorf("invalid --health-on-failure %q: use none, kill, restart or stop", s)
	}, show: func() string { return *p }}
}
