package cmd

// systemprune.go is system prune: container, network, (with --volumes)
// volume and image prune in docker's order, each on its own command's
// code, under one question and one total.

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/ctr-lite/ctr-lite/lifecycle/networks"
)

// systemPruneOptions are system prune's flags.
type systemPruneOptions struct {
	all, volumes, force bool
	filters             []string
}

func newSystemPruneCmd(g *globals) *cobra.Command {
	var o systemPruneOptions
	c := &cobra.Command{
		Use:   "prune [-a] [--volumes] [-f] [--filter until=T|label=K[=V]]",
		Short: "Remove stopped containers, unused networks, dangling (with -a unused) images and with --volumes anonymous volumes",
		Example: `  ctr-lite system prune -f
  ctr-lite system prune -a --volumes -f`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			keep, err := pruneKeep(o.filters)
			if err != nil {
				return usageError(c, err)
			}
			if !o.force && !confirmText(systemPruneWarning(o)) {
				return nil
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			return systemPrune(c.Context(), c.OutOrStdout(), e, o, keep)
		},
	}
	c.Flags().BoolVarP(&o.all, "all", "a", false, "remove every image no container uses, not only dangling ones")
	c.Flags().BoolVar(&o.volumes, "volumes", false, "remove anonymous volumes no container uses too")
	c.Flags().BoolVarP(&o.force, "force", "f", false, "do not ask for confirmation")
	c.Flags().StringArrayVar(&o.filters, "filter", nil, "until=TIME (created before) or label=KEY[=VALUE] / label!=KEY[=VALUE], of containers, networks and images")
	return c
}

// systemPruneWarning is docker's question, naming what will go.
func systemPruneWarning(o systemPruneOptions) string {
	what := []string{"all stopped containers", "all networks not used by at least one container"}
	if o.volumes {
		what = append(what, "all anonymous volumes not used by at least one container")
	}
	what = append(what, imagePruneWhat(o.all))
	if o.all {
		what = append(what, "all build cache")
	} else {
		what = append(what, "unused build cache")
	}
	var b strings.Builder
	b.WriteString("WARNING! This will remove:\n")
	for _, w := range what {
		b.WriteString("  - " + w + "\n")
	}
	if len(o.filters) > 0 {
		b.WriteString("\n  Items to be pruned will be filtered with:\n")
		for _, f := range o.filters {
			b.WriteString("  - " + f + "\n")
		}
	}
	return b.String()
}

// systemPrune runs each prune in docker's order, printing each one's
// section as it ends; the first failure stops it, after the total.
func systemPrune(ctx context.Context, w io.Writer, e *lifecycle.Engine, o systemPruneOptions, keep pruneFilter) error {
	var total int64
	defer func() { printReclaimed(w, total) }()
	sizer := &psSizer{e: e, images: map[string]int64{}}
	ids, freed, err := e.PruneContainers(ctx, keep.containers, sizer.writable)
	printDeleted(w, "Containers", ids)
	if total += freed; err != nil {
		return err
	}
	names, err := networks.Of(e).PruneNetworks(ctx, keep.networks)
	printDeleted(w, "Networks", names)
	if err != nil {
		return err
	}
	if o.volumes {
		vols, freed, err := pruneVolumes(ctx, e, false)
		printDeleted(w, "Volumes", vols)
		if total += freed; err != nil {
			return err
		}
	}
	lines, freed, err := images.Of(e).PruneImages(ctx, o.all, keep.images)
	printDeleted(w, "Images", imagePruneLines(lines))
	total += freed
	return err
}
