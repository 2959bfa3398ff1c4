// Package volumes holds the engine's volume commands: volume create
// (with labels and the local driver's options), ls and its filters, rm,
// prune and the users of a volume (lifecycle.VolumeUserIDs, which start
// uses too). A volume with options (a tmpfs, a bind of a host directory)
// is mounted on its data directory by the start of a container that uses
// it and unmounted when the last such container stops (lifecycle's
// releaseVolumes), or before volume rm deletes it. Seeding a volume at a container's first start is a start
// step, in lifecycle/mounts_linux.go.
//
// Guarantees: a volume a container names (running or not, or still being
// created) is never removed: its users are read under the global lock,
// which create holds while it makes a record visible; every error carries
// exit code 125.
package volumes
