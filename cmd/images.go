package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// imageRow is one line of images; its fields are the --format names.
type imageRow struct {
	Repository, Tag, ID, CreatedSince, CreatedAt, Size string
}

const imagesTable = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"

func newImagesCmd(g *globals) *cobra.Command {
	var quiet bool
	var format string
	c := &cobra.Command{
		Use:   "images [-q] [--format table|json|TEMPLATE]",
		Short: "List images",
		Example: `  ctr-lite images
  ctr-lite images -q`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			images, err := e.Images.Images()
			if err != nil {
				return err
			}
			rows := imageRows(images, time.Now())
			if quiet {
				seen := map[string]bool{}
				for _, r := range rows {
					if !seen[r.ID] {
						fmt.Fprintln(c.OutOrStdout(), r.ID)
						seen[r.ID] = true
					}
				}
				return nil
			}
			return writeRowsWithHeaders(c.OutOrStdout(), format, imagesTable, rows, map[string]string{"ID": "IMAGE ID"})
		},
	}
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only image IDs")
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	return c
}

func imageRows(images []*rootfs.Image, now time.Time) []imageRow {
	var rows []imageRow
	for _, img := range images {
		base := imageRow{
			ID:           state.ShortID(strings.TrimPrefix(img.ID, "sha256:")),
			CreatedSince: state.HumanDuration(now.Sub(img.Config.Created)) + " ago",
			CreatedAt:    img.Config.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
			Size:         state.HumanSize(img.Size),
		}
		if len(img.RepoTags) == 0 {
			base.Repository, base.Tag = "<none>", "<none>"
			rows = append(rows, base)
		}
		for _, t := range img.RepoTags {
			r := base
			r.Repository, r.Tag = rootfs.SplitRef(t)
			rows = append(rows, r)
		}
	}
	return rows
}
