// Package state owns ctr-lite's on-disk records: container IDs and names,
// config.v2.json and hostconfig.json, the name index, and the locks that
// guard them.
//
// Guarantees:
//   - every state file is replaced atomically (WriteFileAtomic): a reader sees
//     the old record or the new one, never a torn one, even if the writer dies;
//   - a name is owned by at most one container: names are reserved with
//     O_EXCL under the global lock;
//   - the global lock is held only for short index updates; long steps take
//     the container's own lock, so unrelated containers never wait on each other.
//
// The package is portable (no syscalls beyond flock via gofrs/flock), so its
// tests run anywhere.
package state
