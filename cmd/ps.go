package cmd

import (
	"errors"
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
	ID, Image, Command, CreatedAt, RunningFor, Status, State, Names, Ports, Labels, Size string
}

const psTable = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

func newPsCmd(g *globals) *cobra.Command {
	var o psOptions
	c := &cobra.Command{
		Use:     "ps [-a] [-q] [-n N|-l] [-s] [--no-trunc] [-f KEY=VALUE]... [--format table|json|TEMPLATE]",
		Aliases: []string{"ls", "list"},
		Short:   "List containers",
		Example: `  ctr-lite ps -a
  ctr-lite ps -aq
  ctr-lite ps -a --format '{{.Names}} {{.Status}}'
  ctr-lite ps -f status=exited -f exited=0
  ctr-lite ps -a -f name=web -f label=tier=front
  ctr-lite ps -l --no-trunc
  ctr-lite ps -as`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			filter, err := parsePsFilter(o.filters, psResolver{
				created: func(ref string) (time.Time, error) { return createdOf(e.Containers, ref) },
				imageID: func(ref string) (string, error) {
					img, err := e.Images.Resolve(ref)
					if err != nil {
						return "", err
					}
					return img.ID, nil
				},
			})
			if err != nil {
				return err
			}
			list, err := listFor(e.Containers, filter)
			if err != nil {
				return err
			}
			if o.latest && o.last < 0 {
				o.last = 1
			}
			sel := psSelect{all: o.all || filter.impliesAll() || o.last > 0, last: o.last,
				noTrunc: o.noTrunc, filter: filter, hostConfig: e.Containers.LoadHostConfig}
			table := psTable
			if o.size || strings.Contains(o.format, ".Size") { // docker sizes for a template using .Size too
				sizer := &psSizer{e: e, images: map[string]int64{}}
				sel.size, table = sizer.size, psTable+"\t{{.Size}}"
			}
			rows := psRows(list, sel, time.Now())
			if o.quiet {
				for _, r := range rows {
					fmt.Fprintln(c.OutOrStdout(), r.ID)
				}
				return nil
			}
			return writeRows(c.OutOrStdout(), o.format, table, rows)
		},
	}
	f := c.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "show all containers (default: running only)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print only IDs")
	f.StringVar(&o.format, "format", "", "table, json, or a Go template")
	f.IntVarP(&o.last, "last", "n", -1, "show the N most recently created containers, in any state")
	f.BoolVarP(&o.latest, "latest", "l", false, "show the most recently created container, in any state")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "show full IDs and commands")
	f.BoolVarP(&o.size, "size", "s", false, "show the SIZE column: the writable layer, and (virtual) with the image")
	f.StringArrayVarP(&o.filters, "filter", "f", nil, "KEY=VALUE: id, name, label, status, exited, ancestor, before, since,\n"+
		"publish, expose, network, volume, health (repeat: same key ORs, different keys AND)")
	return c
}

type psOptions struct {
	all, quiet, latest, noTrunc, size bool
	last                              int
	format                            string
	filters                           []string
}

// psSelect is which containers ps lists and how.
type psSelect struct {
	all        bool
	last       int // -n: at most this many (newest first); <= 0 no limit
	noTrunc    bool
	filter     *psFilter
	hostConfig func(id string) (*state.HostConfig, error)
	size       func(*state.Container) string // -s; nil: no SIZE
}

// createdOf is before=/since='s container: its creation time.
func createdOf(s *state.Store, ref string) (time.Time, error) {
	id, err := s.Resolve(ref)
	if err != nil {
		return time.Time{}, fmt.Errorf("No such container: %s", ref)
	}
	c, err := s.Load(id)
	if errors.Is(err, state.ErrDamaged) {
		return time.Time{}, fmt.Errorf("container %s has a damaged record, so it has no creation time to filter by: rm -f it", ref)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("No such container: %s", ref)
	}
	return c.Created, nil
}

// listFor loads the records ps may show: with a name filter only those
// the name index says match (names are ANDed with every other key).
func listFor(s *state.Store, f *psFilter) ([]*state.Container, error) {
	if len(f.names) == 0 {
		return s.List()
	}
	return s.ListNamed(f.nameMatches)
}

func psRows(list []*state.Container, sel psSelect, now time.Time) []psRow {
	sort.Slice(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	rows := make([]psRow, 0, len(list))
	for _, ctr := range list {
		if sel.last > 0 && len(rows) == sel.last {
			break
		}
		st := trueState(ctr)
		if !sel.all && !st.Running && !st.Restarting { // docker lists a restarting one
			continue
		}
		if sel.filter != nil && !sel.filter.match(psCandidate{c: ctr, st: st, hostConfig: lazyHostConfig(ctr.ID, sel.hostConfig)}) {
			continue
		}
		id, cmd := state.ShortID(ctr.ID), quoteCommand(ctr)
		if sel.noTrunc {
			id, cmd = ctr.ID, strconv.Quote(strings.Join(append([]string{ctr.Path}, ctr.Args...), " "))
		}
		row := psRow{
			ID: id, Image: ctr.ImageName, Command: cmd,
			CreatedAt:  ctr.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
			RunningFor: units.HumanDuration(now.Sub(ctr.Created)) + " ago",
			Status:     st.StatusLine(now), State: st.Status, Names: ctr.Name, Labels: labels(ctr.Config.Labels),
			Ports: ports(ctr, st),
		}
		if sel.size != nil {
			row.Size = sel.size(ctr)
		}
		rows = append(rows, row)
	}
	return rows
}

// lazyHostConfig reads a container's hostconfig once, on first use: only
// the filters that need it pay for the read.
func lazyHostConfig(id string, load func(string) (*state.HostConfig, error)) func() *state.HostConfig {
	var hc *state.HostConfig
	done := false
	return func() *state.HostConfig {
		if !done && load != nil {
			hc, _ = load(id) // an unreadable one matches no hostconfig filter
			done = true
		}
		return hc
	}
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
