package lifecycle

import (
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// healthFlags parses --health-* flags as create does (the same opts values).
func healthFlags(t *testing.T, args ...string) (*state.HealthConfig, error) {
	t.Helper()
	var h *state.HealthConfig
	var no bool
	fs := pflag.NewFlagSet("create", pflag.ContinueOnError)
	fs.Var(opts.HealthCmd(&h), "health-cmd", "")
	fs.Var(opts.HealthDuration(&h, "--health-interval", func(h *state.HealthConfig) *time.Duration { return &h.Interval }), "health-interval", "")
	fs.Var(opts.HealthDuration(&h, "--health-timeout", func(h *state.HealthConfig) *time.Duration { return &h.Timeout }), "health-timeout", "")
	fs.Var(opts.HealthRetries(&h), "health-retries", "")
	fs.BoolVar(&no, "no-healthcheck", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return h, opts.Healthcheck(&h, no)
}

func TestHealthcheckMerge(t *testing.T) {
	img := &state.HealthConfig{Test: []string{"CMD", "/probe"}, Interval: 10 * time.Second, Timeout: 2 * time.Second, Retries: 5}
	cases := []struct {
		name  string
		flags []string
		image *state.HealthConfig
		want  *state.HealthConfig
	}{
		{"none anywhere", nil, nil, nil},
		{"image's whole", nil, img, img},
		{"flags alone", []string{"--health-cmd", "true"}, nil, &state.HealthConfig{Test: []string{"CMD-SHELL", "true"}}},
		{"a flag overrides its field only", []string{"--health-interval", "1s"}, img,
			&state.HealthConfig{Test: []string{"CMD", "/probe"}, Interval: time.Second, Timeout: 2 * time.Second, Retries: 5}},
		{"the command and retries", []string{"--health-cmd", "curl -f localhost", "--health-retries", "1"}, img,
			&state.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: 10 * time.Second, Timeout: 2 * time.Second, Retries: 1}},
		// docker's merge fills the timings in under NONE too
		{"--no-healthcheck disables the image's", []string{"--no-healthcheck"}, img,
			&state.HealthConfig{Test: []string{"NONE"}, Interval: 10 * time.Second, Timeout: 2 * time.Second, Retries: 5}},
	}
	for _, c := range cases {
		u, err := healthFlags(t, c.flags...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cfg, err := MergeConfig(rootfs.ContainerDefaults{Cmd: []string{"sh"}, Healthcheck: c.image}, UserConfig{Healthcheck: u})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(cfg.Healthcheck, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, cfg.Healthcheck, c.want)
		}
	}
	if got := mergeHealthcheck(nil, img); got == img {
		t.Error("the merge shares the image's record")
	}
}

func TestHealthcheckFlagErrors(t *testing.T) {
	for args, want := range map[string]string{
		"--health-interval=-1s":                 "--health-interval cannot be negative",
		"--health-timeout=10us":                 "cannot be less than 1ms",
		"--health-retries=-1":                   "--health-retries cannot be negative",
		"--health-interval=soon":                "want a duration",
		"--no-healthcheck --health-cmd=true":    "--no-healthcheck conflicts with --health-* options",
		"--no-healthcheck --health-interval=1s": "--no-healthcheck conflicts",
	} {
		_, err := healthFlags(t, strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", args, err, want)
		}
	}
}

func TestApplyResult(t *testing.T) {
	started := time.Unix(1000, 0)
	hc := state.HealthConfig{Retries: 2, StartPeriod: 10 * time.Second}.WithDefaults()
	fail := func(at time.Duration) state.HealthResult {
		return state.HealthResult{Start: started.Add(at), ExitCode: 1}
	}
	ok := state.HealthResult{Start: started.Add(time.Minute)}
	h := &state.Health{Status: state.HealthStarting}
	applyResult(h, hc, started, fail(time.Second))
	applyResult(h, hc, started, fail(2*time.Second))
	if h.Status != state.HealthStarting || h.FailingStreak != 0 {
		t.Fatalf("failures in the start period counted: %+v", h)
	}
	applyResult(h, hc, started, fail(11*time.Second))
	if h.Status != state.HealthStarting || h.FailingStreak != 1 {
		t.Fatalf("after the start period: %+v", h)
	}
	applyResult(h, hc, started, fail(12*time.Second))
	if h.Status != state.HealthUnhealthy || h.FailingStreak != 2 {
		t.Fatalf("retries reached: %+v", h)
	}
	applyResult(h, hc, started, ok)
	if h.Status != state.HealthHealthy || h.FailingStreak != 0 {
		t.Fatalf("a success: %+v", h)
	}
	applyResult(h, hc, started, fail(2*time.Minute)) // healthy: in the start period or not, a failure counts
	if h.Status != state.HealthHealthy || h.FailingStreak != 1 {
		t.Fatalf("one failure while healthy: %+v", h)
	}
	if len(h.Log) != state.HealthLogEntries || h.Log[len(h.Log)-1].Start != started.Add(2*time.Minute) {
		t.Fatalf("the log keeps the last %d: %+v", state.HealthLogEntries, h.Log)
	}
}

func TestHealthCommand(t *testing.T) {
	for _, c := range []struct {
		test []string
		want []string
	}{
		{[]string{"CMD", "/bin/check", "-v"}, []string{"/bin/check", "-v"}},
		{[]string{"CMD-SHELL", "exit 1"}, []string{"/bin/sh", "-c", "exit 1"}},
		{[]string{"CMD"}, nil},
		{[]string{"WHAT", "x"}, nil},
	} {
		got, err := healthCommand(c.test)
		if !reflect.DeepEqual(got, c.want) || (c.want == nil) != (err != nil) {
			t.Errorf("%q: got %q, %v", c.test, got, err)
		}
	}
}

func TestStatusLineHealth(t *testing.T) {
	now := time.Now()
	for status, want := range map[string]string{state.HealthStarting: "(health: starting)", state.HealthHealthy: "(healthy)", state.HealthUnhealthy: "(unhealthy)"} {
		s := state.State{Status: state.StatusRunning, Running: true, StartedAt: now.Add(-3 * time.Minute), Health: &state.Health{Status: status}}
		if got := s.StatusLine(now); got != "Up 3 minutes "+want {
			t.Errorf("%s: %q", status, got)
		}
	}
}

// TestCheckOutputBounded: a check's output keeps 4096 bytes and "...",
// however much is written, and a writer left holding the pipe does not
// hold up the result past the drain.
func TestCheckOutputBounded(t *testing.T) {
	o, err := newCheckOutput()
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(strings.Repeat("y\n", 32<<10))
	go func() { // 64 MB, then the writer stays open: a process left behind
		for i := 0; i < 1024; i++ {
			if _, err := o.w.Write(chunk); err != nil {
				return // EPIPE once Result closed the read end
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	begin := time.Now()
	got := o.Result(100 * time.Millisecond)
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Result took %v with the writer open", took)
	}
	if len(got) != state.HealthOutputMax+3 || !strings.HasSuffix(got, "y\n...") {
		t.Errorf("got %d bytes ending %q", len(got), got[max(0, len(got)-8):])
	}
	o.w.Close()
}

func TestCheckOutputExact(t *testing.T) {
	for _, n := range []int{0, 5, state.HealthOutputMax} {
		o, err := newCheckOutput()
		if err != nil {
			t.Fatal(err)
		}
		o.w.Write([]byte(strings.Repeat("a", n)))
		o.w.Close()
		if got := o.Result(time.Second); got != strings.Repeat("a", n) {
			t.Errorf("%d bytes: got %d bytes", n, len(got))
		}
	}
	if got := limitOutput(strings.Repeat("b", state.HealthOutputMax+10), false); len(got) != state.HealthOutputMax+3 {
		t.Errorf("limitOutput: %d bytes", len(got))
	}
}

// TestProcKillChecksIdentity: a hung check's processes are killed only
// while their PID still names the process found (its start time), so a
// PID reused meanwhile is left alone.
func TestProcKillChecksIdentity(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	_, start, ok := procStat(strconv.Itoa(cmd.Process.Pid))
	if !ok {
		t.Fatal("no /proc entry for the child")
	}
	proc{cmd.Process.Pid, start + 1}.kill() // another process's start: not it
	select {
	case <-exited:
		t.Fatal("a process with another start time was killed")
	case <-time.After(200 * time.Millisecond):
	}
	proc{cmd.Process.Pid, start}.kill()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the process was not killed")
	}
}
