package cmd

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// versionInfo is what version --format sees, in docker's shape
// (docker/cli's versionInfo): a template reading {{.Client.Version}} or
// {{.Server.Version}} gets ctr-lite's. Without a daemon the engine is
// this binary, so Server is Client's build.
type versionInfo struct {
	Client, Server buildInfo
}

type buildInfo struct {
	Platform  struct{ Name string }
	Version   string
	GoVersion string
	Os        string
	Arch      string
}

func newVersionCmd(_ *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "version [--format TEMPLATE|json]",
		Short: "Show the ctr-lite version",
		Example: `  ctr-lite version
  ctr-lite version --format '{{.Client.Version}}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != "" {
				b := buildInfo{Version: Version, GoVersion: runtime.Version(), Os: runtime.GOOS, Arch: runtime.GOARCH}
				b.Platform.Name = "ctr-lite"
				return writeOne(c.OutOrStdout(), format, versionInfo{Client: b, Server: b})
			}
			fmt.Fprintf(c.OutOrStdout(), "ctr-lite version %s\ngo: %s %s/%s\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "json, or a Go template over docker's version fields ({{.Client.Version}})")
	return c
}
