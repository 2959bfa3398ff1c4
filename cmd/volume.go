package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/volumes"
	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/rootfs"
)

func newVolumeCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "volume", Short: "Manage volumes (data kept across containers)"}
	c.AddCommand(newVolumeCreateCmd(g), newVolumeLsCmd(g), newVolumeInspectCmd(g), newVolumeRmCmd(g), newVolumePruneCmd(g))
	return c
}

func newVolumeCreateCmd(g *globals) *cobra.Command {
	var labels, options map[string]string
	var driver string
	c := &cobra.Command{
		Use:   "create [NAME]",
		Short: "Create a volume",
		Example: `  ctr-lite volume create data && ctr-lite run --rm -v data:/data busybox ls /data
  ctr-lite volume create --label team=web --opt type=tmpfs --opt device=tmpfs --opt o=size=64m scratch
  ctr-lite volume create --opt type=none --opt o=bind --opt device=/srv/shared shared`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if driver != "local" {
				return badFlagValue(fmt.Errorf("volume driver %q: only the local driver is supported", driver))
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			v, err := volumes.Of(e).CreateVolume(c.Context(), name, labels, options)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), v.Name)
			return nil
		},
	}
	c.Flags().StringVarP(&driver, "driver", "d", "local", "volume driver (only local)")
	c.Flags().Var(opts.Labels(&labels), "label", "set a label on the volume (KEY=VALUE)")
	c.Flags().VarP(opts.VolumeOpts(&options), "opt", "o", "local driver option: type=FSTYPE, device=DEVICE, o=MOUNT-OPTIONS (mounted while a container uses the volume)")
	return c
}

type volumeRow struct{ Driver, Name string }

func newVolumeLsCmd(g *globals) *cobra.Command {
	var format string
	var quiet bool
	var filters []string
	c := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			f, err := volumes.ParseVolumeFilter(filters)
			if err != nil {
				return err
			}
			vols, err := volumes.Of(e).ListVolumes(f)
			if err != nil {
				return err
			}
			rows := []volumeRow{}
			for _, v := range vols {
				if quiet {
					fmt.Fprintln(c.OutOrStdout(), v.Name)
				}
				rows = append(rows, volumeRow{Driver: v.Driver, Name: v.Name})
			}
			if quiet {
				return nil
			}
			return writeRowsWithHeaders(c.OutOrStdout(), format, "{{.Driver}}\t{{.Name}}", rows,
				map[string]string{"Driver": "DRIVER", "Name": "VOLUME NAME"})
		},
	}
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only names")
	c.Flags().StringArrayVarP(&filters, "filter", "f", nil, "keep volumes matching: name=REGEXP, label=KEY[=VALUE], dangling=true|false, driver=NAME")
	return c
}

func newVolumeInspectCmd(g *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "inspect NAME [NAME...]",
		Short: "Show a volume",
		Args:  minArgs(1, "NAME [NAME...]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return printInspect(c.OutOrStdout(), format, args, func(name string) (any, error) {
				return e.Volumes.Get(name)
			})
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "Go template applied to each volume")
	return c
}

func newVolumeRmCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME [NAME...]",
		Aliases: []string{"remove"},
		Short:   "Remove volumes (refused while a container uses them)",
		Args:    minArgs(1, "NAME [NAME...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, name string) error {
				return volumes.Of(e).RemoveVolume(ctx, name)
			})
		},
	}
}

func newVolumePruneCmd(g *globals) *cobra.Command {
	var all, force bool
	c := &cobra.Command{
		Use:   "prune [-a] [-f]",
		Short: "Remove anonymous volumes no container uses (with -a every unused volume)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			what := "anonymous local volumes"
			if all {
				what = "all local volumes"
			}
			if !force && !confirmText("WARNING! This will remove "+what+" not used by at least one container.") {
				return nil
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			removed, freed, err := pruneVolumes(c.Context(), e, all)
			printDeleted(c.OutOrStdout(), "Volumes", removed)
			printReclaimed(c.OutOrStdout(), freed)
			return err
		},
	}
	c.Flags().BoolVarP(&all, "all", "a", false, "remove named volumes too, not only anonymous ones")
	c.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return c
}

// pruneVolumes is volume prune, counting each volume's data.
func pruneVolumes(ctx context.Context, e *lifecycle.Engine, all bool) ([]string, int64, error) {
	return volumes.Of(e).PruneVolumes(ctx, all, func(v *rootfs.Volume) int64 { return dirSize(e.Volumes.DataPath(v.Name)) })
}
