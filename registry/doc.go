// Package registry talks to OCI and Docker registries through
// go-containerregistry: it normalises references as docker does, finds
// credentials in the docker config and its credential helpers, pulls images
// into a rootfs.Store and pushes them out again.
//
// Guarantees: a pulled layer is written to the store only after its blob
// digest and the diffID of its uncompressed tar have been checked, so a
// corrupt, truncated or interrupted download never becomes visible; layers
// already present are not fetched; concurrent pulls of one image fetch each
// layer once; an image is recorded only once every layer it needs is
// present. Registries on loopback addresses are spoken to over plain HTTP,
// as docker does; others need TLS unless listed as insecure.
package registry
