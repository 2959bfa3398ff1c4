package cmd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

// psRow is one line of ps; its fields are the --format template names.
type psRow struct {
	ID, Image, Command, CreatedAt, RunningFor, Status, State, Names, Ports, Labels string
}

const psTable = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

func newPsCmd(g *globals) *cobra.Command {
	var all, quiet bool
	var format string
	c := &cobra.Command{
		Use:     "ps [-a] [-q] [--format table|json|TEMPLATE]",
		Aliases: []string{"ls", "list"},
		Short:   "List containers",
		Example: `  ctr-lite ps -a
  ctr-lite ps -aq
  ctr-lite ps -a --format '{{.Names}} {{.Status}}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			list, err := e.Containers.List()
			if err != nil {
				return err
			}
			rows := psRows(list, all, time.Now())
			if quiet {
				for _, r := range rows {
					fmt.Fprintln(c.OutOrStdout(), r.ID)
				}
				return nil
			}
			return writeRows(c.OutOrStdout(), format, psTable, rows)
		},
	}
	c.Flags().BoolVarP(&all, "all", "a", false, "show all containers (default: running only)")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only IDs")
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	return c
}

func psRows(list []*state.Container, all bool, now time.Time) []psRow {
	sort.Slice(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	rows := make([]psRow, 0, len(list))
	for _, ctr := range list {
		st := trueState(ctr)
		if !all && st.Status != state.StatusRunning && !st.Restarting { // docker lists a restarting one
			continue
		}
		rows = append(rows, psRow{
			ID: state.ShortID(ctr.ID), Image: ctr.ImageName, Command: quoteCommand(ctr),
			CreatedAt:  ctr.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
			RunningFor: units.HumanDuration(now.Sub(ctr.Created)) + " ago",
			Status:     st.StatusLine(now), State: st.Status, Names: ctr.Name, Labels: labels(ctr.Config.Labels),
			Ports: ports(ctr, st),
		})
	}
	return rows
}

// trueState corrects a "running" record whose processes are all gone: the
// container ended without anyone recording it (exit code unknown, 255).
func trueState(c *state.Container) state.State {
	st := lifecycle.LiveRestarting(c)
	if st.Running && !lifecycle.IsRunning(c) {
		st.Status, st.Running, st.ExitCode = state.StatusExited, false, lifecycle.ExitUnknownCode
		if st.FinishedAt.IsZero() {
			st.FinishedAt = st.StartedAt
		}
	}
	return st
}

func quoteCommand(c *state.Container) string {
	cmd := strings.Join(append([]string{c.Path}, c.Args...), " ")
	if len(cmd) > 20 {
		cmd = cmd[:19] + "…"
	}
	return strconv.Quote(cmd)
}

func labels(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// ports is docker's PORTS column: "0.0.0.0:8080->80/tcp, ...".
func ports(c *state.Container, st state.State) string {
	if !st.Running {
		return ""
	}
	var out []string
	for key, bindings := range c.NetworkSettings.Ports {
		for _, b := range bindings {
			out = append(out, b.HostIP+":"+b.HostPort+"->"+key.String())
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
