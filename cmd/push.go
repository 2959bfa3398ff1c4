package cmd

import (
	"fmt"
	"strings"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/spf13/cobra"
)

func newPushCmd(g *globals) *cobra.Command {
	var rf registryFlags
	var quiet bool
	c := &cobra.Command{
		Use:   "push [OPTIONS] NAME[:TAG]",
		Short: "Upload an image to a registry",
		Long: `Upload an image to the registry its name points at: tag it first with
'ctr-lite tag'. Layers the registry has are not sent again; a layer pulled
from another repository of the same registry is mounted from there.`,
		Example: `  ctr-lite tag app:1.2 localhost:5000/app:1.2
  ctr-lite push localhost:5000/app:1.2`,
		Args: exactArgs(1, "NAME[:TAG]"),
		RunE: func(c *cobra.Command, args []string) error {
			out := c.OutOrStdout()
			e, opts, err := rf.open(g, out, quiet)
			if err != nil {
				return err
			}
			p, err := images.Of(e).PushImage(c.Context(), args[0], opts)
			if err != nil {
				return err
			}
			tag := p.Ref[strings.LastIndexAny(p.Ref, ":@")+1:]
			fmt.Fprintf(out, "%s: digest: %s size: %d\n", tag, p.Digest, p.Size)
			return nil
		},
	}
	rf.register(c, false)
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the digest line")
	return c
}
