// Package netsetup owns a container's network: its namespace (created by
// a re-exec'd helper and held by a bind mount under the runroot), the
// default and user-defined bridge networks, IPAM, the veth pair, published
// ports (nftables, over netlink), and the files it resolves names with
// (/etc/hostname, /etc/hosts, /etc/resolv.conf).
//
// Guarantees:
//   - every setup step has an idempotent undo: deleting a namespace, a
//     veth, a lease, a port reservation or a rule that is already gone
//     succeeds, so teardown can run twice or after a crash;
//   - an address or host port is held by a lease naming the container and
//     the process that waits on it; a lease whose holder is gone is
//     reclaimed, so a crash never blocks an address for good; host port
//     leases are host-wide (HostPortsDir), keyed by protocol, host IP and
//     port, as a port is the host's whichever root publishes it;
//   - a hosts file is rewritten in place under its flock and is never seen
//     empty (UpdateInPlace);
//   - the bridge and rules are checked against the kernel, not a note, so
//     a flushed ruleset (`nft flush ruleset`, a firewall reload) is
//     restored by the next start: the table, its chains, the jumps and the
//     network's masquerade rules. The port rules of containers that are
//     running then are not: their published ports come back at their next
//     start (docker without its firewalld reload hook behaves the same);
//   - one root owns a bridge, marked on the link (its alias): a new network
//     refuses a bridge that exists but is not this root's, and a reset or
//     network rm leaves a bridge marked as another root's;
//   - a stale lease is taken over only after its dead holder's port rules
//     are deleted; new port rules go to the head of the chain, so the
//     newest holder of a host port wins;
//   - ctr-lite's rules live in one nftables table of its own, tagged with
//     their owner; teardown deletes only its own;
//   - no exec of ip, iptables or CNI plugins: links through netlink.
//   - an --ipv6 network is dual stack: its IPv6 leases sit beside the IPv4
//     ones (same files, same holders), so every release frees both; IPv6
//     gets no NAT or masquerade and ctr-lite does not turn on the host's
//     IPv6 forwarding (containers reach each other and the bridge; a ULA
//     is not routed out, as in docker without ip6tables NAT); an
//     --internal network's forward drops are in an ip6 table of the same
//     name too, for a host that forwards IPv6 itself.
//
// The file builders, IPAM and port parsing are portable and unit tested
// anywhere; the rest is in _linux.go files.
package netsetup
