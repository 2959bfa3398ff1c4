// Package waiterbin holds the small waiter's binary, embedded in
// ctr-lite so that ctr-lite stays one file to install. `make build`
// builds it (lifecycle/monitor/smallwaiter) into bin/ before building
// ctr-lite; a plain `go build ./...` on a fresh clone embeds no waiter,
// and the monitor falls back to the big one (Binary is empty).
package waiterbin

import "embed"

//go:embed bin
var files embed.FS

// Name is the waiter's file in bin/.
const Name = "ctr-lite-waiter"

// Binary is the small waiter's executable, nil when this ctr-lite was
// built without it.
func Binary() []byte {
	b, err := files.ReadFile("bin/" + Name)
	if err != nil {
		return nil
	}
	return b
}
