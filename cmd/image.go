package cmd

import (
	"github.com/spf13/cobra"
)

// newImageCmd groups image commands as docker's `image` does.
func newImageCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "image", Short: "Manage images"}
	ls := newImagesCmd(g)
	ls.Use, ls.Aliases = "ls", []string{"list"}
	rm := newRmiCmd(g)
	rm.Use = "rm [-f] IMAGE [IMAGE...]"
	load := newLoadCmd(g)
	c.AddCommand(ls, rm, load, newImageInspectCmd(g))
	return c
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
