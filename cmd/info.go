package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/state"
)

func newInfoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Show where ctr-lite keeps things and what it runs with",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "Root: %s\nRunRoot: %s\nStorage Driver: %s\n", e.Root, e.RunRoot, e.Images.Driver.Name())
			printRuntime(e, w)
			fmt.Fprintf(w, "Cgroup Version: %s\n", cgroupVersion())
			return printCounts(e, w)
		},
	}
}

func printRuntime(e *lifecycle.Engine, w interface{ Write([]byte) (int, error) }) {
	path, err := e.Runtime()
	if err != nil {
		fmt.Fprintf(w, "Runtime: none (%v)\n", err)
		return
	}
	version, err := lifecycle.RuntimeVersion(path)
	if err != nil {
		fmt.Fprintf(w, "Runtime: %s (version unknown: %v)\n", path, err)
		return
	}
	fmt.Fprintf(w, "Runtime: %s\nRuntime Version: %s\n", path, version)
	if lifecycle.VersionLess(version, lifecycle.MinSafeRuncVersion) {
		fmt.Fprintf(os.Stderr, "WARNING: runc %s is older than %s and lacks container breakout fixes; build the pinned one with 'make' or pass --runtime\n", version, lifecycle.MinSafeRuncVersion)
	}
}

func cgroupVersion() string {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return "2"
	}
	return "1"
}

func printCounts(e *lifecycle.Engine, w interface{ Write([]byte) (int, error) }) error {
	list, err := e.Containers.List()
	if err != nil {
		return err
	}
	running := 0
	for _, ctr := range list {
		if trueState(ctr).Status == state.StatusRunning {
			running++
		}
	}
	images, err := e.Images.Images()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Containers: %d\n Running: %d\n Stopped: %d\nImages: %d\n", len(list), running, len(list)-running, len(images))
	return nil
}
