package cmd

import (
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/spf13/cobra"
)

func newTagCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short:   "Give an image another name",
		Example: `  ctr-lite tag busybox localhost:5000/tools/busybox:1`,
		Args:    exactArgs(2, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return images.Of(e).TagImage(c.Context(), args[0], args[1])
		},
	}
}
