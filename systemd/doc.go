// Package systemd writes systemd units for containers: generate systemd
// from container records, and generate quadlet (a systemd generator)
// from podman's Quadlet .container files. It depends on no engine code;
// the notify protocol a unit's monitor speaks is internal/sdnotify.
//
// Guarantees: every word of a unit is quoted by systemd's rules
// (systemd.syntax, systemd.service "Command lines"), and what cannot be
// quoted is refused, so nothing an image or a user supplies becomes a
// directive.
package systemd
