// Package images holds the engine's image commands: pull (and --pull's
// policy), push, load, save, tag, rmi and image prune, above the image
// store (package rootfs) and the registry client (package registry).
//
// Guarantees: an image a container uses is never removed without force:
// its users are read under the store's global lock, under which create
// makes a new container's record visible (saveWithImage, in
// lifecycle/create.go); prune reports only what it removed and the bytes
// that freed; every error carries exit code 125.
package images
