package cmd

import (
	"strings"

	"github.com/spf13/cobra"
)

// newContainerCmd is docker's `container` group: every container command
// a second time, built by the same factories as the top-level ones, so
// flags, help and exit codes are the same under either name.
func newContainerCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "container", Short: "Manage containers"}
	ls := renamed(newPsCmd(g), "ls", "ps", "list")
	c.AddCommand(
		ls,
		newCreateCmd(g),
		runLike(newRunCmd(g)),
		newStartCmd(g),
		newStopCmd(g),
		newRestartCmd(g),
		newKillCmd(g),
		renamed(newRmCmd(g), "rm", "remove"),
		newInspectCmd(g),
		newLogsCmd(g),
		execLike(newExecCmd(g)),
		newWaitCmd(g),
		newAttachCmd(g),
		newPortCmd(g),
		newRenameCmd(g),
		newPauseCmd(g),
		newUnpauseCmd(g),
		newTopCmd(g),
		newCpCmd(g),
		newExportCmd(g),
		newDiffCmd(g),
		newCommitCmd(g),
		newUpdateCmd(g),
		newStatsCmd(g),
		newContainerPruneCmd(g),
	)
	return c
}

// renamed gives c the name it has in its group (docker's `container ls`
// for `ps`), keeping the rest of its usage line, with aliases.
func renamed(c *cobra.Command, name string, aliases ...string) *cobra.Command {
	_, rest, _ := strings.Cut(c.Use, " ")
	c.Use = strings.TrimSpace(name + " " + rest)
	c.Aliases = aliases
	return c
}
