package cmd

import (
	"fmt"
	"os"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

// statsRow is one line of stats; its fields are docker's --format names.
type statsRow struct {
	ID, Container, Name               string
	CPUPerc, MemUsage, MemPerc, NetIO string
	BlockIO, PIDs                     string
}

const statsTable = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

var statsTitles = map[string]string{"ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME",
	"CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
	"BlockIO": "BLOCK I/O", "PIDs": "PIDS"}

func newStatsCmd(g *globals) *cobra.Command {
	var noStream, all, noTrunc bool
	var format string
	c := &cobra.Command{
		Use:   "stats [--no-stream] [-a] [--format TEMPLATE] [--no-trunc] [CONTAINER...]",
		Short: "Show containers' CPU, memory, network and block I/O use, and process counts",
		Long: `Show containers' resource use from their cgroups: CPU % over the last
second, memory use without the page cache against the limit (or the host's
memory), network I/O of the container's interfaces but lo, block I/O, and
the number of processes. Without --no-stream it refreshes every second.`,
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			clear := !noStream && term.IsTerminal(int(os.Stdout.Fd()))
			for {
				list, err := e.StatsOnce(c.Context(), args, all, time.Second)
				if err != nil {
					return err
				}
				rows := make([]statsRow, len(list))
				for i, s := range list {
					rows[i] = makeStatsRow(s, noTrunc)
				}
				if clear {
					fmt.Fprint(c.OutOrStdout(), "\033[2J\033[H")
				}
				if err := writeRowsWithHeaders(c.OutOrStdout(), format, statsTable, rows, statsTitles); err != nil {
					return err
				}
				if noStream {
					return nil
				}
			}
		},
	}
	c.Flags().BoolVar(&noStream, "no-stream", false, "print one reading and exit")
	c.Flags().BoolVarP(&all, "all", "a", false, "show every container (default: the running ones)")
	c.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not shorten container IDs")
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template ({{.Name}}, {{.CPUPerc}}, {{.MemUsage}}, ...)")
	return c
}

// makeStatsRow renders one reading as docker's formatter does: memory in
// binary units, network and block I/O in decimal units with 3 digits.
func makeStatsRow(s lifecycle.Stats, noTrunc bool) statsRow {
	id := s.ID
	if !noTrunc && len(id) > 12 {
		id = id[:12]
	}
	memPerc := 0.0
	if s.MemLimit > 0 {
		memPerc = float64(s.MemUsage) / float64(s.MemLimit) * 100
	}
	dec := func(n uint64) string { return units.HumanSizeWithPrecision(float64(n), 3) }
	return statsRow{
		ID: id, Container: s.Name, Name: s.Name,
		CPUPerc:  fmt.Sprintf("%.2f%%", s.CPUPercent),
		MemUsage: units.BytesSize(float64(s.MemUsage)) + " / " + units.BytesSize(float64(s.MemLimit)),
		MemPerc:  fmt.Sprintf("%.2f%%", memPerc),
		NetIO:    dec(s.NetRx) + " / " + dec(s.NetTx),
		BlockIO:  dec(s.BlockRead) + " / " + dec(s.BlockWrite),
		PIDs:     fmt.Sprint(s.PIDs),
	}
}
