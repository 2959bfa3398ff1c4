package cmd

import (
	"strings"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/spf13/cobra"
)

// newImageCmd groups image commands as docker's `image` does.
func newImageCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "image", Short: "Manage images"}
	ls := renamed(newImagesCmd(g), "ls", "images", "list")
	rm := renamed(newRmiCmd(g), "rm", "rmi", "remove")
	c.AddCommand(ls, rm, newLoadCmd(g), newImageInspectCmd(g), newImagePruneCmd(g),
		newPullCmd(g), newPushCmd(g), newTagCmd(g), newSaveCmd(g), newImportCmd(g), newHistoryCmd(g))
	return c
}

func newImagePruneCmd(g *globals) *cobra.Command {
	var all, force bool
	c := &cobra.Command{
		Use:   "prune [-a] [-f]",
		Short: "Remove images no container uses: untagged ones, or with -a all of them",
		Example: `  ctr-lite image prune -f
  ctr-lite image prune -a -f`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !force && !confirmText("WARNING! This will remove "+imagePruneWhat(all)+".") {
				return nil
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			lines, freed, err := images.Of(e).PruneImages(c.Context(), all, nil)
			if err != nil && len(lines) == 0 {
				return err // refused, or failed before removing anything
			}
			printDeleted(c.OutOrStdout(), "Images", imagePruneLines(lines))
			printReclaimed(c.OutOrStdout(), freed)
			return err
		},
	}
	c.Flags().BoolVarP(&all, "all", "a", false, "remove every image no container uses, not only untagged ones")
	c.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return c
}

// imagePruneWhat is what docker's image prune question names.
func imagePruneWhat(all bool) string {
	if all {
		return "all images without at least one container associated to them"
	}
	return "all dangling images"
}

// imagePruneLines are rmi's lines as docker's prune prints them:
// "untagged: ...", "deleted: ...".
func imagePruneLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.ToLower(l[:1]) + l[1:]
	}
	return out
}

func newImageInspectCmd(g *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:     "inspect [--format TEMPLATE] IMAGE [IMAGE...]",
		Short:   "Show low-level information on images",
		Example: `  ctr-lite image inspect --format '{{.Config.Cmd}}' busybox`,
		Args:    minArgs(1, "IMAGE [IMAGE...]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return printInspect(c.OutOrStdout(), format, args, func(ref string) (any, error) {
				return e.InspectImage(ref)
			})
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "Go template applied to each image")
	return c
}
