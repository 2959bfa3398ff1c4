// Package lifecycle holds the steps of a container's life (create, start,
// stop, kill, wait, logs, exec, remove, run, inspect, system reset) in
// one place, below the CLI, so that the CLI, the tests and the
// detached-container monitor (package lifecycle/monitor, a re-exec of
// ctr-lite) drive the same code. A container's start steps live here:
// its mounts and volumes (mounts_linux.go), its network (network_linux.go),
// its spec inputs (merge.go, user_linux.go, devices_linux.go,
// precheck_linux.go, security.go), its output into the json log
// (output_linux.go), the runtime (runtime_linux.go), what a Type=notify
// unit is told (sdnotify_linux.go), one health check and its record
// (health_linux.go) and the cleanup after a reboot
// (boot_linux.go).
//
// Next to it: lifecycle/monitor (detached containers), lifecycle/initproc
// (--init), lifecycle/images, lifecycle/volumes and lifecycle/networks
// (the management commands), and the top-level systemd (unit files). They
// import lifecycle; lifecycle imports none of them.
//
// Guarantees:
//   - every step that fails undoes what it did: a failed create leaves no
//     record, name, layer or directory; a failed start leaves no mount and
//     no runtime state, and the container is back in its previous state;
//   - the global lock is held only for short steps (reserving a name,
//     saving a new record beside the check that its image is still
//     there); long steps hold the container's own lock, and no lock is
//     held while a container runs;
//   - errors carry docker's exit codes (ExitCode): 125 for the engine, 126
//     when the command cannot be invoked, 127 when it is not found.
//
// The exported steps PrepareStart, RuntimeCommand, RecordPid, Finish,
// StartFailed, Classify, OpenOutput and LockAndLoad exist for the monitor,
// which runs a start in two processes; the CLI uses the whole commands.
package lifecycle
