// Package state owns ctr-lite's on-disk records: container IDs and names,
// config.v2.json and hostconfig.json, the name index, the locks that guard
// them, and what "alive" means for a container.
//
// Guarantees:
//   - every state file is replaced atomically (WriteFileAtomic, the one
//     temp-and-rename writer): a reader sees the old record or the new one,
//     never a torn one, even if the writer dies; the writes that must
//     survive power loss are durable (see atomic.go);
//   - a record damaged all the same (a full disk, a lying disk) is reported
//     as ErrDamaged, listed as a dead stand-in (Store.Damaged) and removable;
//     a damaged name entry is repaired by the next Reserve or Release;
//   - a name is owned by at most one container: names are reserved with
//     O_EXCL under the global lock;
//   - the global lock is held only for short index updates; long steps take
//     the container's own lock, so unrelated containers never wait on each
//     other. Functions that need a lock take its token (*Global,
//     *ContainerLock), which only the lock functions make;
//   - Container.Alive is the one judgement of whether a container's
//     processes bear out its record (ps, rm, start, leases, after-reboot).
//
// The package is portable (no syscalls beyond flock via gofrs/flock and
// reads of /proc), so its tests run anywhere.
package state
