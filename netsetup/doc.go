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
//     a flushed ruleset is restored by the next start;
//   - ctr-lite's rules live in one nftables table of its own, tagged with
//     their owner; teardown deletes only its own;
//   - no exec of ip, iptables or CNI plugins: links through netlink.
//
// The file builders, IPAM and port parsing are portable and unit tested
// anywhere; the rest is in _linux.go files.
package netsetup
