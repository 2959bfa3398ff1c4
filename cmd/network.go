package cmd

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/lifecycle/networks"

	"github.com/ctr-lite/ctr-lite/netsetup"
	"github.com/ctr-lite/ctr-lite/opts"
)

func newNetworkCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "network", Short: "Manage networks"}
	c.AddCommand(newNetworkCreateCmd(g), newNetworkLsCmd(g), newNetworkInspectCmd(g), newNetworkRmCmd(g), newNetworkPruneCmd(g),
		newNetworkConnectCmd(g), newNetworkDisconnectCmd(g))
	return c
}

func newNetworkCreateCmd(g *globals) *cobra.Command {
	cfg := netsetup.Config{Labels: map[string]string{}, Options: map[string]string{}}
	var subnets, gateways []string
	c := &cobra.Command{
		Use:   "create [--subnet CIDR] [--ipv6 --subnet CIDR6] [--gateway IP] [--ip-range CIDR] [--internal] [--label K=V] [-o OPT=V] NAME",
		Short: "Create a bridge network; its containers find each other by name",
		Example: `  ctr-lite network create --subnet 10.77.0.0/24 backend
  ctr-lite run -d --network backend --name db busybox sleep 1d
  ctr-lite network create --internal --subnet 10.78.0.0/24 --ip-range 10.78.0.128/25 --label team=a isolated
  ctr-lite network create -o com.docker.network.bridge.name=br-web -o com.docker.network.driver.mtu=1400 web
  ctr-lite network create --ipv6 --subnet 10.79.0.0/24 --subnet fd00:79::/64 dual
  ctr-lite network create --ipv6 --subnet 10.80.0.0/24 --gateway 10.80.0.254 --subnet fd00:80::/64 --gateway fd00:80::fe dual-gw`,
		Args: exactArgs(1, "NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if cfg.Subnet, cfg.Subnet6, err = netsetup.SplitSubnets(subnets); err != nil {
				return lifecycle.WithCode(lifecycle.ExitEngine, err)
			}
			if cfg.Gateway, cfg.Gateway6, err = netsetup.SplitGateways(gateways); err != nil {
				return lifecycle.WithCode(lifecycle.ExitEngine, err)
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			n, err := networks.Of(e).CreateNetwork(c.Context(), args[0], cfg)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), n.ID)
			return nil
		},
	}
	f := c.Flags()
	f.StringVarP(&cfg.Driver, "driver", "d", "bridge", "network driver (only bridge)")
	f.StringArrayVar(&subnets, "subnet", nil, "subnet in CIDR form: one IPv4 (default: a free 10.x.0.0/24) and, with --ipv6, one IPv6")
	f.BoolVar(&cfg.EnableIPv6, "ipv6", false, "enable IPv6 (dual stack): give an IPv6 --subnet too")
	f.StringArrayVar(&gateways, "gateway", nil, "gateway address, one per --subnet family (default: the subnet's first address)")
	f.StringVar(&cfg.IPRange, "ip-range", "", "allocate container addresses from this CIDR inside --subnet")
	f.BoolVar(&cfg.Internal, "internal", false, "no route, NAT or forwarding out of the network")
	f.Var(opts.Labels(&cfg.Labels), "label", "set a label on the network (KEY=VALUE)")
	f.VarP(opts.DriverOpts(&cfg.Options), "opt", "o", "bridge driver option: com.docker.network.bridge.name, ...enable_ip_masquerade, com.docker.network.driver.mtu")
	return c
}

// networkRow is one line of network ls.
type networkRow struct{ ID, Name, Driver, Subnet, Gateway, Bridge string }

func newNetworkLsCmd(g *globals) *cobra.Command {
	var format string
	var filters []string
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
			keep, err := networkFilter(filters)
			if err != nil {
				return err
			}
			nets, err := e.Networks.List()
			if err != nil {
				return err
			}
			rows := []networkRow{}
			for _, n := range nets {
				if !keep(n) {
					continue
				}
				rows = append(rows, networkRow{ID: n.ID[:12], Name: n.Name, Driver: n.Driver, Subnet: n.Subnet.String(), Gateway: n.Gateway.String(), Bridge: n.Bridge})
			}
			return writeRowsWithHeaders(c.OutOrStdout(), format, "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Subnet}}", rows,
				map[string]string{"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Subnet": "SUBNET"})
		},
	}
	c.Flags().StringVar(&format, "format", "", "table, json, or a Go template")
	c.Flags().StringArrayVarP(&filters, "filter", "f", nil, "name=, id=, driver=, label=KEY[=VALUE], label!=KEY[=VALUE]")
	return c
}

// networkFilter turns ls's --filter into a match: docker's rule, the
// values of one key are ORed and the keys ANDed.
func networkFilter(filters []string) (func(*netsetup.Network) bool, error) {
	by := map[string][]string{}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !slices.Contains([]string{"name", "id", "driver", "label", "label!"}, k) {
			return nil, invalidFilter(k, v)
		}
		by[k] = append(by[k], v)
	}
	one := func(n *netsetup.Network, k, v string) bool {
		switch k {
		case "name":
			return strings.Contains(n.Name, v)
		case "id":
			return strings.HasPrefix(n.ID, v)
		case "driver":
			return n.Driver == v
		}
		lk, lv, hasValue := strings.Cut(v, "=")
		got, has := n.Labels[lk]
		return (has && (!hasValue || got == lv)) != (k == "label!")
	}
	return func(n *netsetup.Network) bool {
		for k, vs := range by {
			match := slices.ContainsFunc(vs, func(v string) bool { return one(n, k, v) })
			if k == "label" || k == "label!" { // docker ANDs label filters
				match = !slices.ContainsFunc(vs, func(v string) bool { return !one(n, k, v) })
			}
			if !match {
				return false
			}
		}
		return true
	}, nil
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
	ipam := map[string]string{"Subnet": n.Subnet.String(), "Gateway": n.Gateway.String()}
	if n.IPRange.IsValid() {
		ipam["IPRange"] = n.IPRange.String()
	}
	config := []map[string]string{ipam}
	if n.EnableIPv6 {
		config = append(config, map[string]string{"Subnet": n.Subnet6.String(), "Gateway": n.Gateway6.String()})
	}
	options := map[string]string{netsetup.OptBridgeName: n.Bridge}
	for k, v := range n.Options {
		options[k] = v
	}
	labels := n.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return map[string]any{
		"Name": n.Name, "Id": n.ID, "Created": n.Created, "Scope": "local", "Driver": n.Driver, "EnableIPv6": n.EnableIPv6,
		"IPAM":     map[string]any{"Driver": "default", "Options": map[string]string{}, "Config": config},
		"Internal": n.Internal, "Attachable": false, "Ingress": false,
		"Options": options, "Labels": labels,
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

func newNetworkConnectCmd(g *globals) *cobra.Command {
	var o lifecycle.ConnectOptions
	c := &cobra.Command{
		Use:   "connect [--alias NAME] [--ip IP] [--ip6 IP6] NETWORK CONTAINER",
		Short: "Connect a container to a network (a running one gets its next ethN now)",
		Args:  exactArgs(2, "NETWORK CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			o.Network, o.Container = args[0], args[1]
			return e.ConnectNetwork(c.Context(), o)
		},
	}
	c.Flags().Var(opts.Words(&o.Aliases, "--alias"), "alias", "another name peers on the network resolve the container by")
	c.Flags().Var(opts.IP(&o.IPAddress, "--ip"), "ip", "fixed IPv4 address on the network")
	c.Flags().Var(opts.IP(&o.IPv6Address, "--ip6"), "ip6", "fixed IPv6 address on the network (one made with --ipv6)")
	return c
}

func newNetworkDisconnectCmd(g *globals) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "disconnect [-f] NETWORK CONTAINER",
		Short: "Disconnect a container from a network it was connected to",
		Args:  exactArgs(2, "NETWORK CONTAINER"),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := g.engine()
			if err != nil {
				return err
			}
			return e.DisconnectNetwork(c.Context(), args[0], args[1], force)
		},
	}
	c.Flags().BoolVarP(&force, "force", "f", false, "disconnect even if removing the interface fails")
	return c
}
