// Package initproc is --init: the minimal PID 1 that ctr-lite becomes
// when --init bind-mounts it read-only at specgen.InitPath (/dev/init) in
// a container and runs it under that name. It starts the command after
// "--", passes on every signal it gets, reaps orphaned zombies, and exits
// with the command's status (128+N if it died of signal N; 126/127 as
// docker when the command cannot be run or found).
//
// ReapUntil is the reaping loop, shared with the monitor, which is the
// child subreaper of a detached container.
package initproc
