package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newPauseCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "pause CONTAINER [CONTAINER...]",
		Short: "Freeze every process of running containers",
		Args:  minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Pause(ctx, ref)
			})
		},
	}
}

func newUnpauseCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "unpause CONTAINER [CONTAINER...]",
		Short: "Thaw paused containers",
		Args:  minArgs(1, "CONTAINER [CONTAINER...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, ref string) error {
				return e.Unpause(ctx, ref)
			})
		},
	}
}
