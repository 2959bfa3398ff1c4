package registry

import (
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

// ParseReference is rootfs.ParseRef (ctr-lite's one reading of a
// reference) for a registry that may be plain HTTP.
func ParseReference(s string, insecure bool) (name.Reference, error) {
	if insecure {
		return rootfs.ParseRef(s, name.Insecure)
	}
	return rootfs.ParseRef(s)
}
