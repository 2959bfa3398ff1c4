package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/networks"

	"github.com/ctr-lite/ctr-lite/netsetup"
)

func newNetworkCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "network", Short: "Manage networks"}
	c.AddCommand(newNetworkCreateCmd(g), newNetworkLsCmd(g), newNetworkInspectCmd(g), newNetworkRmCmd(g), newNetworkPruneCmd(g))
	return c
}

func newNetworkCreateCmd(g *globals) *cobra.Command {
	var subnet, gateway string
	c := &cobra.Command{
		Use:   "create [--subnet CIDR] [--gateway IP] NAME",
		Short: "Create a bridge network; its containers find each other by name",
		Example: `  ctr-lite network create --subnet 10.77.0.0/24 backend
  ctr-lite run -d --network backend --name db busybox sleep 1d`,
		Args: exactArgs(1, "NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			n, err := networks.Of(e).CreateNetwork(c.Context(), args[0], subnet, gateway)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), n.ID)
			return nil
		},
	}
	c.Flags().StringVar(&subnet, "subnet", "", "IPv4 subnet in CIDR form (default: a free 10.x.0.0/24)")
	c.Flags().StringVar(&gateway, "gateway", "", "gateway address (default: the subnet's first address)")
	return c
}

// networkRow is one line of network ls.
type networkRow struct{ ID, Name, Driver, Subnet, Gateway, Bridge string }

func newNetworkLsCmd(g *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			nets, err := e.Networks.List()
			if err != nil {
				return err
			}
			rows := []networkRow{}
			for _, n := range nets {
				rows = append(rows, networkRow{ID: n.ID[:12], Name: n.Name, Driver: n.Driver, Subnet: n.Subnet.String(), Gateway: n.Gateway.String(), Bridge: n.Bridge})
			}
			return writeRowsWithHeaders(c.OutOrStdout(), format, "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Subnet}}", rows,
				map[string]string{"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Subnet": "SUBNET"})
		},
	}
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	return c
}

func newNetworkInspectCmd(g *globals) *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "inspect NAME [NAME...]",
		Short: "Show a network's definition",
		Args:  minArgs(1, "NAME [NAME...]"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return printInspect(c.OutOrStdout(), format, args, func(name string) (any, error) {
				n, err := e.Networks.Get(name)
				if err != nil {
					return nil, err
				}
				return networkView(n), nil
			})
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "Go template applied to each network")
	return c
}

// networkView is docker's network inspect shape, in brief.
func networkView(n *netsetup.Network) map[string]any {
	return map[string]any{
		"Name": n.Name, "Id": n.ID, "Created": n.Created, "Driver": n.Driver,
		"IPAM":    map[string]any{"Driver": "default", "Config": []map[string]string{{"Subnet": n.Subnet.String(), "Gateway": n.Gateway.String()}}},
		"Options": map[string]string{"com.docker.network.bridge.name": n.Bridge},
	}
}

func newNetworkRmCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME [NAME...]",
		Aliases: []string{"remove"},
		Short:   "Remove networks (refused while running containers use them)",
		Args:    minArgs(1, "NAME [NAME...]"),
		RunE: func(c *cobra.Command, args []string) error {
			return eachRefPrinting(c, g, args, func(ctx context.Context, e *lifecycle.Engine, name string) error {
				return networks.Of(e).RemoveNetwork(ctx, name)
			})
		},
	}
}
