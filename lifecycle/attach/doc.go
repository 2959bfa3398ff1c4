// Package attach is the wire between a container's monitor (or an exec -t
// process's exec monitor) and the `attach` clients (and the foreground
// run -t, start -a and exec -t that attach to their own): the monitor serves a unix socket per container
// under the runroot (as conmon's attach socket), copying the container's
// output to every client as well as to the log, and a client's stdin into
// the container's stdin pipe or pty master. Frames are typed and length
// prefixed (frame.go); detach keys are docker's syntax (keys.go).
//
// Guarantees: a slow or stuck client never blocks the container or its
// log (each client has a bounded queue and is dropped when it overflows);
// a client that connects after the container exited gets its exit code
// at once; the socket is removed when the container exits.
package attach
