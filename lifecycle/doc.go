// Package lifecycle holds the steps of a container's life (create, start,
// stop, remove, run) in one place, below the CLI, so that the CLI, the tests
// and any future monitor drive the same code.
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
