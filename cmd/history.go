package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/ctr-lite/ctr-lite/state"
)

// historyRow is one line of history; its fields are the --format names
// (docker's formatter/history.go).
type historyRow struct {
	ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment string
}

// docker's tables: CREATED is the age, or with -H=false CREATED AT.
const (
	historyTable      = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
	historyPlainTable = "{{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
	createdByWidth    = 45 // docker truncates CREATED BY to this many characters
)

func newHistoryCmd(g *globals) *cobra.Command {
	var noTrunc, quiet, human bool
	var format string
	c := &cobra.Command{
		Use:   "history [--no-trunc] [-q] [-H=false] [--format table|json|TEMPLATE] IMAGE",
		Short: "Show the history of an image",
		Example: `  ctr-lite history busybox
  ctr-lite history --no-trunc -H=false app:2
  ctr-lite history --format '{{.ID}} {{.CreatedBy}} {{.Size}}' app:2`,
		Args: exactArgs(1, "IMAGE"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			entries, err := images.Of(e).ImageHistory(args[0])
			if err != nil {
				return err
			}
			rows := historyRows(entries, time.Now(), human, !noTrunc)
			if quiet {
				for _, r := range rows {
					fmt.Fprintln(c.OutOrStdout(), r.ID)
				}
				return nil
			}
			table := historyTable
			if !human {
				table = historyPlainTable
			}
			return writeRowsWithHeaders(c.OutOrStdout(), format, table, rows, map[string]string{"ID": "IMAGE", "CreatedBy": "CREATED BY"})
		},
	}
	c.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not truncate IDs and commands")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the image IDs")
	c.Flags().BoolVarP(&human, "human", "H", true, "print sizes and dates in human-readable form")
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	return c
}

// historyRows are docker's history cells: short IDs and CREATED BY cut to
// 45 characters unless not trunc; ages and sizes in words unless not human.
func historyRows(entries []images.HistoryEntry, now time.Time, human, trunc bool) []historyRow {
	rows := make([]historyRow, 0, len(entries))
	for _, e := range entries {
		r := historyRow{ID: e.ID, Comment: e.Comment, CreatedBy: strings.ReplaceAll(e.CreatedBy, "\t", " ")}
		if trunc && e.ID != images.Missing {
			r.ID = state.ShortID(strings.TrimPrefix(e.ID, "sha256:"))
		}
		if trunc {
			r.CreatedBy = ellipsis(r.CreatedBy, createdByWidth)
		}
		if !e.Created.IsZero() {
			r.CreatedAt = e.Created.Local().Format(time.RFC3339)
			r.CreatedSince = r.CreatedAt
			if human {
				r.CreatedSince = units.HumanDuration(now.Sub(e.Created)) + " ago"
			}
		}
		r.Size = strconv.FormatInt(e.Size, 10)
		if human {
			r.Size = units.HumanSizeWithPrecision(float64(e.Size), 3)
		}
		rows = append(rows, r)
	}
	return rows
}

// ellipsis cuts s to max characters, the last one "…", as docker's does.
func ellipsis(s string, max int) string {
	rs := []rune(s)
	if len(rs) <= max {
		return s
	}
	return string(rs[:max-1]) + "…"
}
