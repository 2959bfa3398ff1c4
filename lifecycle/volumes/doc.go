// Package volumes holds the engine's volume commands: volume create, rm,
// prune and the users of a volume (lifecycle.VolumeUserIDs, which start
// uses too). Seeding a volume at a container's first start is a start
// step, in lifecycle/mounts_linux.go.
//
// Guarantees: a volume a container names (running or not, or still being
// created) is never removed: its users are read under the global lock,
// which create holds while it makes a record visible; every error carries
// exit code 125.
package volumes
