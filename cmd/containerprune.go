package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

func newContainerPruneCmd(g *globals) *cobra.Command {
	var force bool
	var filters []string
	c := &cobra.Command{
		Use:   "prune [-f] [--filter until=T|label=K[=V]]",
		Short: "Remove all stopped containers",
		Example: `  ctr-lite container prune -f
  ctr-lite container prune -f --filter until=24h --filter label=tmp`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			keep, err := pruneKeep(filters)
			if err != nil {
				return usageError(c, err)
			}
			if !force && !confirmText("WARNING! This will remove all stopped containers.") {
				return nil
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			sizer := &psSizer{e: e, images: map[string]int64{}}
			ids, freed, err := e.PruneContainers(c.Context(), keep.containers, sizer.writable)
			printDeleted(c.OutOrStdout(), "Containers", ids)
			printReclaimed(c.OutOrStdout(), freed)
			return err
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	c.Flags().StringArrayVar(&filters, "filter", nil, "until=TIME (created before) or label=KEY[=VALUE] / label!=KEY[=VALUE]")
	return c
}

// pruneFilter says, from an object's creation time and labels, whether
// prune keeps it.
type pruneFilter func(created time.Time, labels map[string]string) bool

// pruneKeep turns prune's --filter into the objects to keep.
func pruneKeep(filters []string) (pruneFilter, error) {
	var checks []pruneFilter // each must pass for removal
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case ok && k == "until":
			t, err := parseTime(v)
			if err != nil {
				return nil, err
			}
			checks = append(checks, func(created time.Time, _ map[string]string) bool { return created.Before(t) })
		case ok && (k == "label" || k == "label!"):
			lk, lv, hasValue := strings.Cut(v, "=")
			negate := k == "label!"
			checks = append(checks, func(_ time.Time, labels map[string]string) bool {
				got, has := labels[lk]
				match := has && (!hasValue || got == lv)
				return match != negate
			})
		default:
			return nil, fmt.Errorf("invalid filter %q: use until=TIME or label=KEY[=VALUE]", f)
		}
	}
	return func(created time.Time, labels map[string]string) bool {
		for _, ok := range checks {
			if !ok(created, labels) {
				return true
			}
		}
		return false
	}, nil
}

// containers is the filter over containers.
func (keep pruneFilter) containers(c *state.Container) bool { return keep(c.Created, c.Config.Labels) }

// networks is the filter over networks.
func (keep pruneFilter) networks(n *netsetup.Network) bool { return keep(n.Created, n.Labels) }

// images is the filter over images: docker's until and label are the
// image config's.
func (keep pruneFilter) images(img *rootfs.Image) bool {
	return keep(img.Config.Created, img.Config.Config.Labels)
}

// printDeleted is a prune's "Deleted KIND:" section, none when empty.
func printDeleted(w io.Writer, kind string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "Deleted %s:\n", kind)
	for _, it := range items {
		fmt.Fprintln(w, it)
	}
	fmt.Fprintln(w)
}

// printReclaimed is a prune's last line.
func printReclaimed(w io.Writer, freed int64) {
	fmt.Fprintln(w, "Total reclaimed space:", units.HumanSize(float64(freed)))
}

// confirmText asks docker's prune question on stderr and reads y from stdin.
func confirmText(warning string) bool {
	fmt.Fprintf(os.Stderr, "%s\nAre you sure you want to continue? [y/N] ", warning)
	var answer string
	fmt.Fscanln(os.Stdin, &answer)
	return strings.EqualFold(answer, "y") || strings.EqualFold(answer, "yes")
}
