package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Victim is the host directory the hostile layers aim at. Tests create it
// with a file "secret" and check afterwards that nothing in it changed.
const Victim = "/tmp/ctr-lite-victim"

// hostileCase is one image of the corpus: busybox plus a hostile layer.
type hostileCase struct {
	name, why string
	layer     []byte // uncompressed tar, unless blob is set
	blob      []byte // the layer as stored (e.g. gzip), diffID from layer
	archive   func(dir string) error
}

// up climbs out of any plausible rootfs depth.
const up = "../../../../../../../../../../../../.."

func hostileCases() []hostileCase {
	v := strings.TrimPrefix(Victim, "/")
	bomb := zeroLayer(64 << 20)
	return []hostileCase{
		{name: "dotdot", why: "a file named ../…/victim/evil", layer: tarOf([]entry{file(up+"/"+v+"/evil", 0o644, []byte("x"))})},
		{name: "abs-dotdot", why: "a file named /../…/victim/evil", layer: tarOf([]entry{file("/../"+up+"/"+v+"/evil", 0o644, []byte("x"))})},
		{name: "absolute", why: "a file named /tmp/ctr-lite-victim/evil (belongs inside the rootfs)", layer: tarOf([]entry{file(Victim+"/evil", 0o644, []byte("x"))})},
		{name: "symlink-abs-file", why: "esc -> /victim, then esc/evil", layer: tarOf([]entry{symlink("esc", Victim), file("esc/evil", 0o644, []byte("x"))})},
		{name: "symlink-rel-file", why: "esc -> ../…/victim, then esc/evil", layer: tarOf([]entry{symlink("esc", up+"/"+v), file("esc/evil", 0o644, []byte("x"))})},
		{name: "symlink-named-dotdot", why: "a symlink named .. pointing at the victim, then ../evil", layer: tarOf([]entry{symlink("..", Victim), file("../evil", 0o644, []byte("x"))})},
		{name: "symlink-dir-dotdot", why: "a/.. as a symlink to the victim, then a/../evil", layer: tarOf([]entry{dir("a", 0o755), symlink("a/..", Victim), file("a/../evil", 0o644, []byte("x"))})},
		{name: "root-symlink", why: "/ replaced by a symlink to the victim, then evil", layer: tarOf([]entry{symlink("/", Victim), file("evil", 0o644, []byte("x"))})},
		{name: "dot-symlink", why: ". replaced by a symlink to the victim, then ./evil", layer: tarOf([]entry{symlink(".", Victim), file("./evil", 0o644, []byte("x"))})},
		{name: "hardlink-out", why: "a hard link to ../…/victim/secret", layer: tarOf([]entry{hardlink("hl", up+"/"+v+"/secret")})},
		{name: "hardlink-abs", why: "a hard link to /victim/secret (resolves inside the rootfs, where it does not exist)", layer: tarOf([]entry{hardlink("hl", Victim+"/secret")})},
		{name: "hardlink-through-symlink", why: "esc -> /victim, then a hard link to esc/secret", layer: tarOf([]entry{symlink("esc", Victim), hardlink("hl", "esc/secret")})},
		{name: "cve-2021-32760", why: "s -> /victim/secret, a hard link h to s, then h again with mode 0777", layer: tarOf([]entry{symlink("s", Victim+"/secret"), hardlink("h", "s"), withMode(hardlink("h2", "s"), 0o777)})},
		{name: "symlink-then-chmod", why: "s -> /victim/secret, then s as a file with mode 0777 (replaces the link)", layer: tarOf([]entry{symlink("s", Victim+"/secret"), file("s", 0o777, []byte("x"))})},
		{name: "whiteout-dotdot", why: "a whiteout named .wh..", layer: tarOf([]entry{file(".wh..", 0o644, nil)})},
		{name: "whiteout-dotdotdot", why: "a whiteout named .wh...", layer: tarOf([]entry{file(".wh...", 0o644, nil)})},
		{name: "whiteout-dne-dotdot", why: "a whiteout dne/../.wh.etc", layer: tarOf([]entry{file("dne/../.wh.etc", 0o644, nil)})},
		{name: "whiteout-through-symlink", why: "esc -> /victim, then esc/.wh.secret", layer: tarOf([]entry{symlink("esc", Victim), file("esc/.wh.secret", 0o644, nil)})},
		{name: "opaque-through-symlink", why: "esc -> /victim, then esc/.wh..wh..opq", layer: tarOf([]entry{symlink("esc", Victim), file("esc/.wh..wh..opq", 0o644, nil)})},
		{name: "devices", why: "a char device (1:1, /dev/mem), a block device and a fifo", layer: tarOf([]entry{node("evil-mem", tar.TypeChar, 1, 1), node("evil-blk", tar.TypeBlock, 7, 0), node("evil-fifo", tar.TypeFifo, 0, 0)})},
		{name: "setuid", why: "a setuid root file (kept, as docker keeps it)", layer: tarOf([]entry{file("suid", 0o4755, []byte("#!/bin/sh\n"))})},
		{name: "overlay-xattr", why: "a directory with trusted.overlay.redirect and opaque xattrs", layer: tarOf([]entry{withXattrs(dir("redir", 0o755), map[string]string{"trusted.overlay.redirect": Victim, "trusted.overlay.opaque": "y"})})},
		{name: "symlink-loop", why: "a -> b, b -> a, then a/evil", layer: tarOf([]entry{symlink("a", "b"), symlink("b", "a"), file("a/evil", 0o644, []byte("x"))})},
		{name: "negative-size", why: "a header with size -1", layer: negativeSize()},
		{name: "huge-size", why: "a header claiming 1 TiB, then the end", layer: hugeSize()},
		{name: "truncated", why: "a tar cut off in the middle of a file", layer: truncated()},
		{name: "gzip-bomb", why: "a 64 MiB file of zeros, gzipped to ~64 KiB", layer: bomb, blob: gzipOf(bomb)},
		{name: "bad-digest", why: "a layer blob under blobs/sha256/ whose content has another digest", archive: badDigestArchive},
		{name: "digest-dotdot", why: "a manifest naming the config sha256:../..", archive: digestDotdotArchive},
		{name: "manifest-outside", why: "manifest.json naming a layer outside the archive", archive: manifestOutsideArchive},
	}
}

func withMode(e entry, mode int64) entry { e.hdr.Mode = mode; return e }

func withXattrs(e entry, x map[string]string) entry {
	e.hdr.PAXRecords = map[string]string{}
	for k, v := range x {
		e.hdr.PAXRecords["SCHILY.xattr."+k] = v
	}
	e.hdr.Format = tar.FormatPAX
	return e
}

func node(name string, typ byte, major, minor int64) entry {
	return entry{hdr: tar.Header{Typeflag: typ, Name: name, Mode: 0o666, Devmajor: major, Devminor: minor, ModTime: epoch}}
}

// zeroLayer is a layer of one file of n zero bytes.
func zeroLayer(n int) []byte { return tarOf([]entry{file("zeros", 0o644, make([]byte, n))}) }

func gzipOf(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// negativeSize is a one-entry tar whose size field is -1 in base-256.
func negativeSize() []byte {
	b := tarOf([]entry{file("neg", 0o644, nil)})
	field := b[124:136]
	for i := range field {
		field[i] = 0xff
	}
	fixChecksum(b[:512])
	return b
}

// hugeSize claims 1 TiB of content and ends after the header.
func hugeSize() []byte {
	b := tarOf([]entry{file("huge", 0o644, nil)})
	copy(b[124:136], fmt.Sprintf("%011o\x00", int64(1)<<40))
	fixChecksum(b[:512])
	return b[:1024]
}

func truncated() []byte {
	b := tarOf([]entry{file("a", 0o644, bytes.Repeat([]byte("a"), 4096)), file("b", 0o644, []byte("b"))})
	return b[:512+2048]
}

func fixChecksum(h []byte) {
	copy(h[148:156], "        ")
	var sum int64
	for _, c := range h {
		sum += int64(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

// writeHostile writes every case as a docker-archive image
// hostile/<name>:latest in dir, and an index of the cases.
func writeHostile(dir string, busybox []byte, cfg config) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	index := map[string]string{}
	for _, c := range hostileCases() {
		path := filepath.Join(dir, c.name+".tar")
		index[c.name] = c.why
		var err error
		switch {
		case c.archive != nil:
			err = c.archive(path)
		case c.blob != nil:
			err = writeDockerArchiveBlobs(path, "hostile/"+c.name+":latest", cfg, [][2][]byte{{busybox, busybox}, {c.blob, c.layer}})
		default:
			err = writeDockerArchive(path, "hostile/"+c.name+":latest", cfg, [][]byte{busybox, c.layer})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	raw, _ := json.MarshalIndent(index, "", "  ")
	return os.WriteFile(filepath.Join(dir, "cases.json"), raw, 0o644)
}

// writeDockerArchiveBlobs is writeDockerArchive for layers stored as
// {blob, uncompressed tar} pairs.
func writeDockerArchiveBlobs(path, tag string, cfg config, layers [][2][]byte) error {
	var tars [][]byte
	for _, l := range layers {
		tars = append(tars, l[1])
	}
	raw := imageConfig(cfg, tars)
	cfgName := "blobs/sha256/" + strings.TrimPrefix(digest(raw), "sha256:")
	es := []entry{file(cfgName, 0o644, raw)}
	var names []string
	for _, l := range layers {
		name := "blobs/sha256/" + strings.TrimPrefix(digest(l[0]), "sha256:")
		es = append(es, file(name, 0o644, l[0]))
		names = append(names, name)
	}
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{tag}, "Layers": names}})
	return os.WriteFile(path, tarOf(append(es, file("manifest.json", 0o644, manifest))), 0o644)
}

func badDigestArchive(path string) error {
	layer := tarOf([]entry{file("f", 0o644, []byte("x"))})
	raw := imageConfig(config{}, [][]byte{layer})
	cfgName := "blobs/sha256/" + strings.TrimPrefix(digest(raw), "sha256:")
	wrong := "blobs/sha256/" + strings.Repeat("ab", 32)
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{"hostile/bad-digest:latest"}, "Layers": []string{wrong}}})
	return os.WriteFile(path, tarOf([]entry{file(cfgName, 0o644, raw), file(wrong, 0o644, layer), file("manifest.json", 0o644, manifest)}), 0o644)
}

func digestDotdotArchive(path string) error {
	index, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:../../../../etc/passwd", "size": 1}}})
	return os.WriteFile(path, tarOf([]entry{file("oci-layout", 0o644, []byte(`{"imageLayoutVersion":"1.0.0"}`)), file("index.json", 0o644, index)}), 0o644)
}

func manifestOutsideArchive(path string) error {
	manifest, _ := json.Marshal([]map[string]any{{"Config": "../../../../etc/hostname", "RepoTags": []string{"hostile/outside:latest"}, "Layers": []string{"/etc/passwd"}}})
	return os.WriteFile(path, tarOf([]entry{file("manifest.json", 0o644, manifest)}), 0o644)
}
