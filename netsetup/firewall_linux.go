package netsetup

import (
	"bytes"
	"fmt"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// The firewall is one nftables table of ctr-lite's own, spoken to over
// netlink (no iptables exec). Rules carry user data naming their owner
// ("net:<bridge>" or "ctr:<id>"), so teardown deletes exactly its own.
//
//	postrouting (nat): ip saddr SUBNET oifname != BRIDGE masquerade
//	                   oifname BRIDGE ip saddr 127.0.0.0/8 masquerade
//	prerouting, output (nat): fib daddr type local jump ports
//	ports: [ip daddr HOST-IP] meta l4proto P th dport N dnat to IP:PORT
//	       (th dport is at offset 2 of tcp, udp and sctp alike)
const (
	tableName   = "ctr-lite"
	portsChain  = "ports"
	natPostName = "postrouting"
	// forwardChain holds internal networks' drops; made on first need.
	forwardChain = "forward"
)

var table = &nftables.Table{Family: nftables.TableFamilyIPv4, Name: tableName}

// table6 holds only the forward drops of internal networks, for IPv6: a
// bridge's IPv6 is not routed by ctr-lite, but a host that forwards IPv6
// itself must not route an --internal network's traffic either.
var table6 = &nftables.Table{Family: nftables.TableFamilyIPv6, Name: tableName}

// ensureTable makes the table, its chains and the jumps to ports exist,
// repairing a table whose chain was deleted, not only a missing table.
// The common case is one listing of the chains. (A jump deleted on its own
// while its chain stays is not seen: nothing but a hand edit does that.)
// It runs under the global lock (from EnsureBridge) or for a start's
// port rules, whose jumps a concurrent repair may add once more: a second
// jump to ports is harmless, the first match wins in both.
func ensureTable(c *nftables.Conn) error {
	have := map[string]*nftables.Chain{}
	if chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4); err == nil {
		for _, ch := range chains {
			if ch.Table.Name == tableName {
				have[ch.Name] = ch
			}
		}
	}
	if have[natPostName] != nil && have[portsChain] != nil && have["prerouting"] != nil && have["output"] != nil {
		return nil
	}
	hooks := []struct {
		name string
		num  *nftables.ChainHook
	}{{"prerouting", nftables.ChainHookPrerouting}, {"output", nftables.ChainHookOutput}}
	jumped := map[string]bool{}
	for _, hook := range hooks {
		if ch := have[hook.name]; ch != nil && have[portsChain] != nil {
			jumped[hook.name] = hasJump(c, ch)
		}
	}
	c.AddTable(table)
	if have[natPostName] == nil {
		c.AddChain(&nftables.Chain{Name: natPostName, Table: table, Type: nftables.ChainTypeNAT,
			Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	}
	ports := &nftables.Chain{Name: portsChain, Table: table}
	if have[portsChain] == nil {
		c.AddChain(ports)
	}
	for _, hook := range hooks {
		ch := &nftables.Chain{Name: hook.name, Table: table, Type: nftables.ChainTypeNAT,
			Hooknum: hook.num, Priority: nftables.ChainPriorityNATDest}
		if have[hook.name] == nil {
			c.AddChain(ch)
		}
		if !jumped[hook.name] {
			c.AddRule(&nftables.Rule{Table: table, Chain: ch, Exprs: []expr.Any{
				&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)},
				&expr.Verdict{Kind: expr.VerdictJump, Chain: ports.Name},
			}})
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("create nftables table %q: %w", tableName, err)
	}
	return nil
}

// hasJump reports whether chain ch jumps to the ports chain.
func hasJump(c *nftables.Conn, ch *nftables.Chain) bool {
	rules, err := c.GetRules(table, ch)
	if err != nil {
		return false
	}
	for _, r := range rules {
		for _, e := range r.Exprs {
			if v, ok := e.(*expr.Verdict); ok && v.Kind == expr.VerdictJump && v.Chain == portsChain {
				return true
			}
		}
	}
	return false
}

func ifname(name string) []byte {
	b := make([]byte, 16)
	copy(b, name)
	return b
}

// networkRulesPresent reports whether all of n's rules are in the
// kernel's ruleset: its masquerade rules and, for an --internal network,
// its forward drops in both the ip and the ip6 table (a table or chain
// deleted by hand, as by `nft flush ruleset`, means absent).
func networkRulesPresent(n *Network) bool {
	c, err := nftables.New()
	if err != nil {
		return false
	}
	have, err := presentRules(c, n)
	return err == nil && have.complete(n)
}

// ruleGroups is which of a network's rule groups the kernel holds.
type ruleGroups struct{ nat, drop4, drop6 bool }

func (p ruleGroups) complete(n *Network) bool {
	return p.nat && (!n.Internal || p.drop4 && p.drop6)
}

func presentRules(c *nftables.Conn, n *Network) (ruleGroups, error) {
	owner := []byte("net:" + n.Bridge)
	var p ruleGroups
	rules, err := c.GetRules(table, &nftables.Chain{Name: natPostName, Table: table})
	if err != nil {
		return p, fmt.Errorf("list nftables rules: %w", err)
	}
	p.nat = ownsOne(rules, owner)
	if n.Internal {
		// A missing forward chain or ip6 table is an error here: absent.
		r4, _ := c.GetRules(table, &nftables.Chain{Name: forwardChain, Table: table})
		r6, _ := c.GetRules(table6, &nftables.Chain{Name: forwardChain, Table: table6})
		p.drop4, p.drop6 = ownsOne(r4, owner), ownsOne(r6, owner)
	}
	return p, nil
}

func ownsOne(rules []*nftables.Rule, owner []byte) bool {
	for _, r := range rules {
		if bytes.Equal(r.UserData, owner) {
			return true
		}
	}
	return false
}

// ensureNetworkRules adds those of n's rules that are not there.
func ensureNetworkRules(n *Network) error {
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	if err := ensureTable(c); err != nil {
		return err
	}
	post := &nftables.Chain{Name: natPostName, Table: table}
	owner := []byte("net:" + n.Bridge)
	have, err := presentRules(c, n)
	if err != nil || have.complete(n) {
		return err
	}
	if !have.nat {
		if n.Masquerade() {
			c.AddRule(&nftables.Rule{Table: table, Chain: post, UserData: owner, Exprs: masqueradeOut(n)})
		}
		// Always added: it also marks n's rules as present (presentRules).
		c.AddRule(&nftables.Rule{Table: table, Chain: post, UserData: owner, Exprs: masqueradeLocalhost(n)})
	}
	if n.Internal && !have.drop4 {
		addInternalRules(c, n, owner, table)
	}
	if n.Internal && !have.drop6 {
		c.AddTable(table6)
		addInternalRules(c, n, owner, table6)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("add masquerade rules for %s: %w", n.Name, err)
	}
	return nil
}

// addInternalRules drops what would be routed into or out of an internal
// network's bridge (docker's --internal), in table t (ip or ip6):
// containers on the bridge still reach each other (bridged, not routed)
// and the host (input/output).
//
//	forward (filter): iifname BRIDGE oifname != BRIDGE drop
//	                  oifname BRIDGE iifname != BRIDGE drop
func addInternalRules(c *nftables.Conn, n *Network, owner []byte, t *nftables.Table) {
	policy := nftables.ChainPolicyAccept
	fwd := c.AddChain(&nftables.Chain{Name: forwardChain, Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &policy})
	for _, dir := range [][2]expr.MetaKey{{expr.MetaKeyIIFNAME, expr.MetaKeyOIFNAME}, {expr.MetaKeyOIFNAME, expr.MetaKeyIIFNAME}} {
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, UserData: owner, Exprs: []expr.Any{
			&expr.Meta{Key: dir[0], Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(n.Bridge)},
			&expr.Meta{Key: dir[1], Register: 1},
			&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: ifname(n.Bridge)},
			&expr.Verdict{Kind: expr.VerdictDrop},
		}})
	}
}

// masqueradeOut: ip saddr SUBNET oifname != BRIDGE masquerade.
func masqueradeOut(n *Network) []expr.Any {
	mask := ipNet(n.Subnet.Addr(), n.Subnet.Bits()).Mask
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: []byte{0, 0, 0, 0}},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: n.Subnet.Addr().AsSlice()},
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: ifname(n.Bridge)},
		&expr.Masq{},
	}
}

// masqueradeLocalhost: oifname BRIDGE ip saddr 127.0.0.0/8 masquerade,
// so a published port answers connections to 127.0.0.1.
func masqueradeLocalhost(n *Network) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(n.Bridge)},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{127}},
		&expr.Masq{},
	}
}

// deleteNetworkRules removes n's rules, and the table once it is empty.
func deleteNetworkRules(n *Network) error {
	return deleteRulesOwnedBy("net:" + n.Bridge)
}

// AddPortRules publishes ports to the container at addr. The rules go to
// the head of the ports chain: the first matching dnat wins, so should a
// stale holder's rule for the port survive, the newest holder still wins.
func AddPortRules(id string, addr netip.Addr, ports []PortMapping) error {
	if len(ports) == 0 {
		return nil
	}
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	if err := ensureTable(c); err != nil {
		return err
	}
	chain := &nftables.Chain{Name: portsChain, Table: table}
	for _, p := range ports {
		c.InsertRule(&nftables.Rule{Table: table, Chain: chain, UserData: []byte("ctr:" + id), Exprs: dnat(p, addr)})
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("add port rules: %w", err)
	}
	return nil
}

func dnat(p PortMapping, addr netip.Addr) []expr.Any {
	proto := map[string]byte{"udp": unix.IPPROTO_UDP, "sctp": unix.IPPROTO_SCTP}[p.Proto]
	if proto == 0 {
		proto = unix.IPPROTO_TCP
	}
	var ex []expr.Any
	if p.HostIP != "" {
		hostIP := netip.MustParseAddr(p.HostIP)
		ex = append(ex,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: hostIP.AsSlice()})
	}
	return append(ex,
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(p.HostPort)},
		&expr.Immediate{Register: 1, Data: addr.AsSlice()},
		&expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(p.ContainerPort)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 2, Specified: true},
	)
}

// DeletePortRules removes container id's port rules; none is fine.
func DeletePortRules(id string) error {
	return deleteRulesOwnedBy("ctr:" + id)
}

func deleteRulesOwnedBy(owner string) error {
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	for _, t := range []*nftables.Table{table, table6} {
		if err := deleteOwnedIn(c, t, owner); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("delete nftables rules of %s: %w", owner, err)
	}
	return nil
}

// deleteOwnedIn queues the deletion of owner's rules in table t, and of
// the table once no owned rule is left in it (only the jumps).
func deleteOwnedIn(c *nftables.Conn, t *nftables.Table, owner string) error {
	if _, err := c.ListTableOfFamily(tableName, t.Family); err != nil {
		return nil // no table: nothing of ours
	}
	chains, err := c.ListChainsOfTableFamily(t.Family)
	if err != nil {
		return fmt.Errorf("list nftables chains: %w", err)
	}
	others := 0
	for _, ch := range chains {
		if ch.Table.Name != tableName {
			continue
		}
		rules, err := c.GetRules(t, ch)
		if err != nil {
			return fmt.Errorf("list nftables rules: %w", err)
		}
		for _, r := range rules {
			switch {
			case string(r.UserData) == owner:
				c.DelRule(r)
			case len(r.UserData) > 0:
				others++
			}
		}
	}
	if others == 0 {
		c.DelTable(t)
	}
	return nil
}
