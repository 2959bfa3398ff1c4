package cmd

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// imageRow is one line of images; its fields are the --format names.
type imageRow struct {
	Repository, Tag, Digest, ID, CreatedSince, CreatedAt, Size string
}

const (
	imagesTable        = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
	imagesDigestsTable = "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
)

func newImagesCmd(g *globals) *cobra.Command {
	var quiet, digests, all bool
	var format string
	var filters []string
	c := &cobra.Command{
		Use:   "images [-a] [-q] [--digests] [--filter dangling=true|reference=PATTERN] [--format table|json|TEMPLATE] [REPOSITORY[:TAG]]",
		Short: "List images",
		Example: `  ctr-lite images
  ctr-lite images --digests localhost:5000/app
  ctr-lite images -q --filter dangling=true`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			keep, err := imageFilter(filters, args)
			if err != nil {
				return usageError(c, err)
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			images, err := e.Images.Images()
			if err != nil {
				return err
			}
			rows := keepRows(imageRows(images, time.Now()), keep)
			if quiet {
				printUniqueIDs(c, rows)
				return nil
			}
			table := imagesTable
			if digests {
				table = imagesDigestsTable
			}
			return writeRowsWithHeaders(c.OutOrStdout(), format, table, rows, map[string]string{"ID": "IMAGE ID"})
		},
	}
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only image IDs")
	// docker scripts say `images -a -q`; ctr-lite keeps no intermediate
	// images, so every image is listed either way.
	c.Flags().BoolVarP(&all, "all", "a", false, "list every image (the same list: there are no intermediate images)")
	c.Flags().BoolVar(&digests, "digests", false, "show the manifest digests images were pulled by")
	c.Flags().StringArrayVarP(&filters, "filter", "f", nil, "dangling=true|false, or reference=PATTERN (shell pattern on REPOSITORY[:TAG])")
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	return c
}

func printUniqueIDs(c *cobra.Command, rows []imageRow) {
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.ID] {
			fmt.Fprintln(c.OutOrStdout(), r.ID)
			seen[r.ID] = true
		}
	}
}

// imageFilter turns --filter values and an optional REPOSITORY[:TAG]
// argument into a row predicate.
func imageFilter(filters, args []string) (func(imageRow) bool, error) {
	var preds []func(imageRow) bool
	for _, f := range filters {
		key, val, _ := strings.Cut(f, "=")
		switch {
		case key == "dangling" && (val == "true" || val == "false"):
			want := val == "true"
			preds = append(preds, func(r imageRow) bool { return (r.Tag == "<none>") == want })
		case key == "reference" && val != "":
			preds = append(preds, refMatcher(val))
		default:
			return nil, fmt.Errorf("invalid filter %q: want dangling=true|false or reference=PATTERN", f)
		}
	}
	if len(args) == 1 {
		preds = append(preds, refMatcher(args[0]))
	}
	return func(r imageRow) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, nil
}

// refMatcher matches a pattern against REPOSITORY, or REPOSITORY:TAG when
// the pattern names a tag.
func refMatcher(pattern string) func(imageRow) bool {
	pattern = rootfs.FamiliarPattern(pattern)
	return func(r imageRow) bool {
		if ok, _ := path.Match(pattern, r.Repository); ok {
			return true
		}
		ok, _ := path.Match(pattern, r.Repository+":"+r.Tag)
		return ok
	}
}

func keepRows(rows []imageRow, keep func(imageRow) bool) []imageRow {
	var out []imageRow
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func imageRows(images []*rootfs.Image, now time.Time) []imageRow {
	var rows []imageRow
	for _, img := range images {
		base := imageRow{
			ID:           state.ShortID(strings.TrimPrefix(img.ID, "sha256:")),
			CreatedSince: units.HumanDuration(now.Sub(img.Config.Created)) + " ago",
			CreatedAt:    img.Config.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
			Size:         imageSize(img.Size),
			Digest:       "<none>",
		}
		if len(img.RepoTags) == 0 {
			base.Repository, base.Tag = "<none>", "<none>"
			if len(img.RepoDigests) > 0 {
				base.Repository, base.Digest, _ = strings.Cut(img.RepoDigests[0], "@")
			}
			rows = append(rows, base)
		}
		for _, t := range img.RepoTags {
			r := base
			r.Repository, r.Tag = rootfs.SplitRef(t)
			r.Digest = digestFor(img.RepoDigests, r.Repository)
			rows = append(rows, r)
		}
	}
	return rows
}

// digestFor is the digest repo was pulled by, "<none>" if it was not.
func digestFor(repoDigests []string, repo string) string {
	for _, rd := range repoDigests {
		if r, d, _ := strings.Cut(rd, "@"); r == repo {
			return d
		}
	}
	return "<none>"
}

// imageSize is the SIZE column: docker prints three significant digits
// (formatter/image.go), 1.23MB, 123MB, 12.3kB.
func imageSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }
