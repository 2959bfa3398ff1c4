package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle/images"
)

func newCommitCmd(g *globals) *cobra.Command {
	var o images.CommitOptions
	c := &cobra.Command{
		Use:   "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
		Short: "Create a new image from a container's changes",
		Example: `  ctr-lite commit web app:2
  ctr-lite commit -c 'CMD ["httpd", "-f"]' -c 'ENV MODE=prod' -m 'add the site' -a 'Ann <ann@example.com>' web app:3
  ctr-lite commit --pause=false web    # do not freeze a running container meanwhile`,
		Args: rangeArgs(1, 2, "CONTAINER [REPOSITORY[:TAG]]"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.Ref = args[1]
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			id, err := images.Of(e).Commit(c.Context(), args[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), id)
			return nil
		},
	}
	c.Flags().StringArrayVarP(&o.Changes, "change", "c", nil, "apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)")
	c.Flags().StringVarP(&o.Message, "message", "m", "", "commit message (the history entry's comment)")
	c.Flags().StringVarP(&o.Author, "author", "a", "", `author (e.g. "Ann <ann@example.com>")`)
	c.Flags().BoolVarP(&o.Pause, "pause", "p", true, "freeze a running container during the commit")
	return c
}
