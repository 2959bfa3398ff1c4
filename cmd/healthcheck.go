package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/health"
	"github.com/ctr-lite/ctr-lite/state"
)

// internalFromMonitor is the flag the container's monitor runs a
// scheduled check with (package lifecycle/health).
const internalFromMonitor = "internal-from-monitor"

func newHealthcheckCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "healthcheck", Short: "Run container health checks"}
	c.AddCommand(newHealthcheckRunCmd(g))
	return c
}

// newHealthcheckRunCmd is podman's healthcheck run: exit 0 when the check
// succeeded, 1 (printing "unhealthy", or "starting" for a failure in the
// start period, not counted) when it failed, 125 on an error. From the monitor it
// exits with the recorded status instead (health.Exit*).
func newHealthcheckRunCmd(g *globals) *cobra.Command {
	var fromMonitor bool
	c := &cobra.Command{
		Use:   "run CONTAINER",
		Short: "Run a container's health check now and record its result",
		Args:  exactArgs(1, "CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			open := g.engine
			if fromMonitor {
				open = g.engineAsGiven
			}
			e, err := open()
			if err != nil {
				return &statusError{code: lifecycle.ExitEngine, err: err}
			}
			rep, err := e.RunHealthcheck(c.Context(), args[0])
			if err != nil {
				return &statusError{code: lifecycle.ExitEngine, err: err}
			}
			if fromMonitor {
				return monitorStatus(rep)
			}
			if rep.Result.ExitCode == 0 {
				return nil
			}
			status := state.HealthUnhealthy
			if rep.Uncounted {
				status = state.HealthStarting
			}
			fmt.Fprintln(c.OutOrStdout(), status)
			return &lifecycle.ExitError{Code: 1}
		},
	}
	c.Flags().BoolVar(&fromMonitor, internalFromMonitor, false, "run by the container's monitor: exit with the recorded status")
	_ = c.Flags().MarkHidden(internalFromMonitor)
	return c
}

// monitorStatus is the exit the monitor's scheduler reads: the status
// recorded (a result not recorded keeps the one it knew).
func monitorStatus(rep *lifecycle.HealthcheckReport) error {
	code := map[string]int{state.HealthHealthy: health.ExitHealthy, state.HealthUnhealthy: health.ExitUnhealthy,
		state.HealthStarting: health.ExitStarting}[rep.Status]
	if !rep.Recorded {
		return &statusError{code: lifecycle.ExitEngine, err: errors.New("the result was not recorded: the container stopped or restarted")}
	}
	if code == 0 {
		return nil
	}
	return &statusError{code: code, err: &lifecycle.ExitError{Code: code}}
}
