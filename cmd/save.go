package cmd

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/ctr-lite/ctr-lite/state"
)

func newSaveCmd(g *globals) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "save [-o FILE] IMAGE [IMAGE...]",
		Short: "Write images to a docker-archive tar (what docker save writes)",
		Example: `  ctr-lite save -o app.tar app:1.2 busybox
  ctr-lite save busybox | gzip > busybox.tar.gz`,
		Args: minArgs(1, "IMAGE [IMAGE...]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			if output == "" {
				if term.IsTerminal(int(os.Stdout.Fd())) {
					return usageError(c, fmt.Errorf("refusing to write an archive to a terminal: use -o FILE or redirect stdout"))
				}
				return images.Of(e).SaveImages(c.Context(), c.OutOrStdout(), args)
			}
			return saveToFile(c, e, output, args)
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	return c
}

// saveToFile writes the archive beside output and renames it into place,
// so a failed save leaves no half-written file.
func saveToFile(c *cobra.Command, e *lifecycle.Engine, output string, refs []string) error {
	return state.WriteAtomic(output, 0o644, false, func(w io.Writer) error {
		return images.Of(e).SaveImages(c.Context(), w, refs)
	})
}
