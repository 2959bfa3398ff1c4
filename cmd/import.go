package cmd

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
)

func newImportCmd(g *globals) *cobra.Command {
	var o images.ImportOptions
	c := &cobra.Command{
		Use:   "import [OPTIONS] file|- [REPOSITORY[:TAG]]",
		Short: "Import the contents from a tarball to create a filesystem image",
		Example: `  ctr-lite import rootfs.tar app:1
  tar -C dir -c . | ctr-lite import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' -m 'from dir' - app:2`,
		Args: rangeArgs(1, 2, "file|- [REPOSITORY[:TAG]]"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.Ref = args[1]
			}
			var r io.Reader = c.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return &lifecycle.ExitError{Code: lifecycle.ExitEngine, Err: fmt.Errorf("open %q: %w", args[0], err)}
				}
				defer f.Close()
				r = f
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			id, err := images.Of(e).ImportImage(c.Context(), r, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), id)
			return nil
		},
	}
	c.Flags().StringArrayVarP(&o.Changes, "change", "c", nil, "apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR)")
	c.Flags().StringVarP(&o.Message, "message", "m", "", "set the commit message of the imported image")
	return c
}
