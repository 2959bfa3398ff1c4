package cmd

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/state"
)

func newPortCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List port mappings or a specific mapping for the container",
		Long: `List a running container's published ports, one line per host binding
("80/tcp -> 0.0.0.0:8080"), or only the host addresses of PRIVATE_PORT
(tcp unless /PROTO says otherwise). A port that is not published fails.`,
		Example: `  ctr-lite port web
  ctr-lite port web 80
  ctr-lite port web 53/udp`,
		Args: rangeArgs(1, 2, "CONTAINER [PRIVATE_PORT[/PROTO]]"),
		RunE: func(c *cobra.Command, args []string) error {
			_, ctr, err := g.lookup(args[0])
			if err != nil {
				return err
			}
			var lines []string
			if len(args) == 2 {
				lines, err = portLines(ctr.NetworkSettings.Ports, args[1], args[0])
			} else {
				lines = allPortLines(ctr.NetworkSettings.Ports)
			}
			if err != nil {
				return err
			}
			for _, l := range lines {
				fmt.Fprintln(c.OutOrStdout(), l)
			}
			return nil
		},
	}
}

// portLines are the host addresses of one container port, as docker port
// prints them; arg and ref are as typed, for docker's error wording.
func portLines(ports state.PortMap, arg, ref string) ([]string, error) {
	num, proto, _ := strings.Cut(arg, "/")
	if proto == "" {
		proto = "tcp"
	}
	n, err := strconv.ParseUint(num, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("invalid port (%s): %w", num, err)
	}
	bindings := ports[state.Port{Number: uint16(n), Proto: proto}]
	if len(bindings) == 0 {
		return nil, fmt.Errorf("No public port '%s' published for %s", arg, ref)
	}
	var out []string
	for _, b := range bindings {
		out = append(out, net.JoinHostPort(b.HostIP, b.HostPort))
	}
	return naturalSorted(out), nil
}

// allPortLines is every binding as "80/tcp -> 0.0.0.0:8080".
func allPortLines(ports state.PortMap) []string {
	var out []string
	for p, bindings := range ports {
		for _, b := range bindings {
			out = append(out, p.String()+" -> "+net.JoinHostPort(b.HostIP, b.HostPort))
		}
	}
	return naturalSorted(out)
}

// naturalSorted sorts lines as docker port does: runs of digits compare
// as numbers, so 8080/tcp comes after 443/tcp.
func naturalSorted(lines []string) []string {
	sort.Slice(lines, func(i, j int) bool { return naturalLess(lines[i], lines[j]) })
	return lines
}

func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

// digitRun is the length of s's leading run of ASCII digits.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
