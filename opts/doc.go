// Package opts owns the syntax of docker's run flags: each parser turns
// one flag's text into the typed field of the container's records
// (state.HostConfig, lifecycle.UserConfig) that the flag sets, and each
// Value lets a flag write that field directly when it is parsed.
//
// Guarantees:
//   - a value that parses is valid on its own: later steps never parse
//     the same text again, and never see text they would refuse;
//   - an error is one line naming the flag, the value and what it takes;
//   - parsers are pure (no state is read or written), except where docker
//     reads a file on the client: --env-file, --label-file and
//     --security-opt seccomp=FILE.
//
// Checks that need several flags together (swap needs memory, --restart
// with --rm) are in Validate.
package opts
