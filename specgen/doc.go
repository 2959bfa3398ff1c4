// Package specgen turns a container's configuration into an OCI runtime
// spec (config.json) with docker's defaults: its capability set, default
// seccomp profile, masked and read-only /proc paths, device rules and
// namespaces.
//
// Generate is a pure function of its Input: it reads no files and makes no
// syscalls (the caller resolves users and paths first), so the same Input
// always gives the same spec, which the golden-file tests pin down. The one
// exception is the seccomp profile, which moby's profile package tailors
// to the running kernel; it is kept out of the golden files.
package specgen
