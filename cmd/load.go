package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/images"
)

func newLoadCmd(g *globals) *cobra.Command {
	var input string
	var quiet bool
	c := &cobra.Command{
		Use:   "load -i FILE|DIR",
		Short: "Load images from a docker-archive tar, an OCI archive tar, or an OCI layout directory",
		Example: `  ctr-lite load -i testdata/busybox.tar
  docker save busybox | ctr-lite load`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if input == "" {
				path, cleanup, err := stdinToFile()
				if err != nil {
					return err
				}
				defer cleanup()
				input = path
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			loaded, err := images.Of(e).LoadImages(c.Context(), input)
			for _, l := range loaded {
				switch {
				case quiet:
				case l.Ref == "":
					fmt.Fprintln(c.OutOrStdout(), "Loaded image ID:", l.ID)
				default:
					fmt.Fprintln(c.OutOrStdout(), "Loaded image:", l.Ref)
				}
			}
			return err
		},
	}
	c.Flags().StringVarP(&input, "input", "i", "", "archive or layout to read (default: stdin)")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing")
	return c
}

// stdinToFile saves a piped archive to a temporary file: archives are
// read twice (manifest first, then layers).
func stdinToFile() (string, func(), error) {
	f, err := os.CreateTemp("", "ctr-lite-load-*.tar")
	if err != nil {
		return "", nil, &lifecycle.ExitError{Code: lifecycle.ExitEngine, Err: err}
	}
	cleanup := func() { os.Remove(f.Name()) }
	_, err = f.ReadFrom(os.Stdin)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", nil, &lifecycle.ExitError{Code: lifecycle.ExitEngine, Err: fmt.Errorf("read archive from stdin: %w", err)}
	}
	return f.Name(), cleanup, nil
}
