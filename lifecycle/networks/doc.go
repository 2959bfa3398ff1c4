// Package networks holds the engine's network commands: network create
// (with a free subnet when none is given) and rm. Attaching a container
// to its network is a start step, in lifecycle/network_linux.go; bridges,
// veths, leases and rules are package netsetup's.
//
// Guarantees: a new network's subnet overlaps no host route and no other
// network (checked under the global lock); a network running containers
// use is not removed; its bridge and rules go with it; every error
// carries exit code 125.
package networks
