// Package netsetup owns a container's network: the files it resolves
// names with (/etc/hostname, /etc/hosts, /etc/resolv.conf) and, for
// bridge networking, its namespace, links and addresses.
//
// The file builders are pure functions of their inputs, so they are unit
// tested anywhere. Modes supported now: none (a private namespace with
// only lo, brought up by runc) and host (the host's namespace and files).
package netsetup
