package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
	"github.com/ctr-lite/ctr-lite/registry"
)

func newPullCmd(g *globals) *cobra.Command {
	var rf registryFlags
	var quiet bool
	c := &cobra.Command{
		Use:   "pull [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Long: `Download an image and unpack its layers, several at a time. Short names are
on Docker Hub (busybox is docker.io/library/busybox:latest). Registries on
loopback addresses are reached over plain HTTP; credentials come from
~/.docker/config.json (see 'ctr-lite login').`,
		Example: `  ctr-lite pull busybox
  ctr-lite pull localhost:5000/app:1.2
  ctr-lite pull --platform linux/arm64 alpine@sha256:...`,
		Args: exactArgs(1, "NAME[:TAG|@DIGEST]"),
		RunE: func(c *cobra.Command, args []string) error {
			out := c.OutOrStdout()
			e, opts, err := rf.open(g, out, quiet)
			if err != nil {
				return err
			}
			p, err := images.Of(e).PullImage(c.Context(), args[0], opts)
			if err != nil {
				return err
			}
			if !quiet {
				printPullStatus(out, p)
			}
			fmt.Fprintln(out, p.Ref)
			return nil
		},
	}
	rf.register(c, true)
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the image's name")
	return c
}

// printPullStatus writes docker's summary of a pull.
func printPullStatus(w io.Writer, p *registry.Pulled) {
	fmt.Fprintln(w, "Digest:", p.Digest)
	if p.Fresh {
		fmt.Fprintln(w, "Status: Downloaded newer image for", p.Ref)
	} else {
		fmt.Fprintln(w, "Status: Image is up to date for", p.Ref)
	}
}
