// Package lifecycle holds the steps of a container's life (create, start,
// stop, kill, exec, remove, run) in one place, below the CLI, so that the
// CLI, the tests and the detached-container monitor (monitor_linux.go, a
// re-exec of ctr-lite) drive the same code. It also holds --init, the
// minimal PID 1 that ctr-lite becomes when run as /dev/init.
//
// Guarantees:
//   - every step that fails undoes what it did: a failed create leaves no
//     record, name, layer or directory; a failed start leaves no mount and
//     no runtime state, and the container is back in its previous state;
//   - the global lock is held only to reserve a name; long steps hold the
//     container's own lock, and no lock is held while a container runs;
//   - errors carry docker's exit codes (ExitCode): 125 for the engine, 126
//     when the command cannot be invoked, 127 when it is not found.
package lifecycle
