package lifecycle

import (
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/state"
)

// kill's "final" signals are compared by number, however they are written
// (review 2a #7).
func TestSameSignal(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"TERM", "SIGTERM", true},
		{"15", "TERM", true},
		{"sigterm", "15", true},
		{"KILL", "9", true},
		{"HUP", "TERM", false},
		{"USR1", "10", true},
		{"NOPE", "NOPE", false},
		{"", "", false},
		{"99", "99", false}, // no such signal: numbers are checked too
	} {
		if got := opts.SameSignal(tc.a, tc.b); got != tc.want {
			t.Errorf("opts.SameSignal(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if got := stopSignal(&state.Container{}); got != "TERM" {
		t.Errorf("default stop signal %q", got)
	}
	if got := stopSignal(&state.Container{Config: state.Config{StopSignal: "SIGQUIT"}}); !opts.SameSignal(got, "3") {
		t.Errorf("image stop signal %q", got)
	}
}

func TestStopTimeout(t *testing.T) {
	n, zero, five := -1, 0, 5
	for _, tc := range []struct {
		t    *int
		want time.Duration
	}{{nil, 10 * time.Second}, {&zero, 0}, {&five, 5 * time.Second}, {&n, 100 * 365 * 24 * time.Hour}} {
		c := &state.Container{Config: state.Config{StopTimeout: tc.t}}
		if got := stopTimeout(c); got != tc.want {
			t.Errorf("stopTimeout(%v) = %v, want %v", tc.t, got, tc.want)
		}
	}
}
