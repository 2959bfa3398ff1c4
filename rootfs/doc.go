// Package rootfs owns images and container root filesystems: the image
// store (configs, the repositories index, layers keyed by chain ID), safe
// layer extraction, image loading, and the overlay and vfs drivers.
//
// Guarantees:
//   - extraction never writes outside the target directory: names with ".."
//     are rejected, parents are resolved inside the root (securejoin), hard
//     links must point inside the layer, whiteouts must name a real child;
//   - a layer becomes visible only when complete: it is unpacked into a
//     temporary directory, its diffID verified, then renamed into place;
//   - on overlay, creating a container copies no image data: its cost does
//     not depend on the image's size;
//   - a container's "/" is 0755 root (as docker's) on both drivers, never
//     the mode a layer's root dir was made with, and the directories
//     ctr-lite creates for it get their modes whatever the caller's umask;
//   - every work directory under tmp/ is flock'ed by its creator from the
//     moment it has its name, so SweepTmp removes only those of dead
//     processes, never one a concurrent pull, load or create is using;
//   - a reference has one reading (ref.go, docker's rules on
//     go-containerregistry's name): every spelling of a name ("busybox",
//     "docker.io/library/busybox:latest", "index.docker.io/library/busybox")
//     is the same key in the repositories index, for every command;
//   - no name can take over an image ID: a full ID is only looked up as
//     an ID, and a name that reads as one ("sha256:<hex>", "<64 hex>") is
//     refused, as docker refuses it;
//   - a damaged repositories index loses names, never images: prune of
//     untagged images refuses while it is damaged, and the damaged file is
//     kept aside (repositories.json.damaged-<time>) before it is replaced;
//   - load names an image only by the names the archive gives it;
//   - seeding a volume from an image directory reads only inside the
//     rootfs (fd-based lookups; symlinks are copied as links, never
//     followed), copies only into an empty volume, under the volume's
//     lock, and is staged beside the volume's directory, then moved into
//     it entry by entry without replacing it or any name in it (a
//     container may have it mounted), so a failure leaves the volume as
//     it was and a crash mid-move is finished by the next mount.
package rootfs

// Whiteout names in image layers (OCI image spec, "Whiteouts").
const (
	// WhiteoutPrefix marks a deleted file: ".wh.NAME" deletes NAME.
	WhiteoutPrefix = ".wh."
	// WhiteoutMetaPrefix marks ctr-lite/aufs metadata entries, skipped.
	WhiteoutMetaPrefix = ".wh..wh."
	// WhiteoutOpaqueDir makes its directory opaque: lower content is hidden.
	WhiteoutOpaqueDir = ".wh..wh..opq"
)

// Format is how a driver wants whiteouts written into a layer directory.
type Format int

const (
	// FormatOverlay writes whiteouts as 0/0 character devices and opaque
	// directories as the trusted.overlay.opaque xattr, as the kernel reads them.
	FormatOverlay Format = iota
	// FormatVFS applies whiteouts by deleting: the layer is a full snapshot.
	FormatVFS
)
