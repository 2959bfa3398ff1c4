// Command mkimage writes ctr-lite's test images from the host's static
// busybox (Debian's busybox-static). See testdata/README.md.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// epoch keeps the images reproducible: same input, same digests.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type entry struct {
	hdr  tar.Header
	body []byte
}

func main() {
	bigMB := flag.Int("big", 0, "write only big.tar: busybox plus this many MB of data, half random, half repeated text (it compresses about 2:1)")
	bigLayers := flag.Int("layers", 1, "with -big: spread the data over this many layers")
	hostile := flag.Bool("hostile", false, "write only the hostile-image corpus, into OUT/hostile/")
	flag.Parse()
	out := "testdata"
	if flag.NArg() > 0 {
		out = flag.Arg(0)
	}
	busybox, err := busyboxLayer()
	check(err)
	cfg := config{Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, Cmd: []string{"sh"}}
	if *hostile {
		check(writeHostile(filepath.Join(out, "hostile"), busybox, cfg))
		return
	}
	if *bigMB > 0 {
		layers := [][]byte{busybox}
		for i := range *bigLayers {
			layers = append(layers, tarOf(bigLayer(i, *bigMB / *bigLayers)))
		}
		check(writeDockerArchive(filepath.Join(out, "big.tar"), "big:latest", cfg, layers))
		return
	}
	check(writeDockerArchive(filepath.Join(out, "busybox.tar"), "busybox:latest", cfg, [][]byte{busybox}))
	layeredCfg := cfg
	layeredCfg.ExposedPorts = map[string]struct{}{"80/tcp": {}, "9132/sctp": {}} // sctp: -P must publish it too
	check(writeDockerArchive(filepath.Join(out, "layered.tar"), "layered:latest", layeredCfg,
		[][]byte{busybox, tarOf(layerTwo()), tarOf(layerThree())}))
	volumeCfg := cfg
	volumeCfg.Volumes = map[string]struct{}{"/data": {}}
	check(writeDockerArchive(filepath.Join(out, "volume.tar"), "volume:latest", volumeCfg,
		[][]byte{busybox, tarOf([]entry{dir("data", 0o755), file("data/seed", 0o644, []byte("from the image\n"))})}))
	check(writeDockerArchive(filepath.Join(out, "unit-hostile.tar"), "unit-hostile:latest", unitHostileConfig(cfg), [][]byte{busybox}))
	check(writeOCILayout(filepath.Join(out, "busybox-oci"), "busybox-oci:latest", cfg, busybox))
	check(tarDir(filepath.Join(out, "busybox-oci"), filepath.Join(out, "busybox-oci.tar")))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func busyboxLayer() ([]byte, error) {
	bin, err := exec.LookPath("busybox")
	if err != nil {
		return nil, fmt.Errorf("busybox not found: apt-get install busybox-static")
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(body, []byte("static")) && !isStatic(bin) {
		return nil, fmt.Errorf("%s is not static: apt-get install busybox-static", bin)
	}
	list, err := exec.Command(bin, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list-full: %w", err)
	}
	var es []entry
	for _, d := range []string{"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "home", "var", "dev", "proc", "sys"} {
		es = append(es, dir(d, 0o755))
	}
	es = append(es, dir("tmp", 0o1777), file("bin/busybox", 0o755, body))
	for _, applet := range strings.Fields(string(list)) {
		if applet != "bin/busybox" {
			es = append(es, symlink(applet, "/bin/busybox"))
		}
	}
	es = append(es,
		file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\napp:x:1000:1000:app:/home:/bin/sh\n")),
		file("etc/group", 0o644, []byte("root:x:0:\ndaemon:x:1:\nwheel:x:10:root\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n")))
	return tarOf(es), nil
}

func isStatic(bin string) bool {
	out, _ := exec.Command("file", "-L", bin).Output()
	return bytes.Contains(out, []byte("statically linked"))
}

// bigLayer is layer k of a big image: n files of 1 MB, each half random
// bytes and half repeated text, like real binaries and data compress.
func bigLayer(k, n int) []entry {
	es := []entry{dir("big", 0o755)}
	text := bytes.Repeat([]byte("ctr-lite test data, compressible. "), 1<<20/34+1)
	for i := 0; i < n; i++ {
		body := make([]byte, 1<<20)
		rand.Read(body[:1<<19])
		copy(body[1<<19:], text)
		es = append(es, file(fmt.Sprintf("big/%02d-%04d", k, i), 0o644, body))
	}
	return es
}

// layerTwo adds files that layerThree deletes or hides, and links.
func layerTwo() []entry {
	return []entry{
		dir("data", 0o755), file("data/keep", 0o644, []byte("keep\n")), file("data/gone", 0o644, []byte("gone\n")),
		dir("opq", 0o755), file("opq/a", 0o644, []byte("a\n")), file("opq/b", 0o644, []byte("b\n")),
		dir("hl", 0o755), file("hl/file", 0o4755, []byte("linked\n")), hardlink("hl/link", "hl/file"),
		symlink("sym", "/data/keep"),
	}
}

// layerThree deletes data/gone and makes opq opaque with one new file.
func layerThree() []entry {
	return []entry{
		dir("data", 0o755), file("data/.wh.gone", 0o644, nil),
		dir("opq", 0o755), file("opq/.wh..wh..opq", 0o644, nil), file("opq/c", 0o644, []byte("c\n")),
	}
}

func dir(name string, mode int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: epoch}}
}

func file(name string, mode int64, body []byte) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body)), ModTime: epoch}, body: body}
}

func symlink(name, target string) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: epoch}}
}

func hardlink(name, target string) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: 0o755, ModTime: epoch}}
}

func tarOf(es []entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := e.hdr
		check(tw.WriteHeader(&h))
		_, err := tw.Write(e.body)
		check(err)
	}
	check(tw.Close())
	return buf.Bytes()
}

type config struct {
	Env          []string            `json:"Env"`
	Cmd          []string            `json:"Cmd"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	User         string              `json:"User,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
}

func imageConfig(cfg config, layers [][]byte) []byte {
	var diffIDs []string
	for _, l := range layers {
		diffIDs = append(diffIDs, digest(l))
	}
	raw, err := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "created": epoch, "config": cfg,
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	check(err)
	return raw
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// writeDockerArchive writes the `docker save` format, uncompressed layers.
func writeDockerArchive(path, tag string, cfg config, layers [][]byte) error {
	raw := imageConfig(cfg, layers)
	cfgName := strings.TrimPrefix(digest(raw), "sha256:") + ".json"
	var es []entry
	var names []string
	for _, l := range layers {
		name := strings.TrimPrefix(digest(l), "sha256:") + "/layer.tar"
		if !contains(names, name) {
			es = append(es, file(name, 0o644, l))
		}
		names = append(names, name)
	}
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{tag}, "Layers": names}})
	es = append(es, file(cfgName, 0o644, raw), file("manifest.json", 0o644, manifest))
	return os.WriteFile(path, tarOf(es), 0o644)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeOCILayout writes an OCI image layout with a gzip-compressed layer.
func writeOCILayout(dir, ref string, cfg config, layer []byte) error {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(layer)
	zw.Close()
	raw := imageConfig(cfg, [][]byte{layer})
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(raw), "size": len(raw)},
		"layers": []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(gz.Bytes()), "size": gz.Len()}},
	})
	index, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{
		"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(manifest), "size": len(manifest),
		"annotations": map[string]string{"org.opencontainers.image.ref.name": ref},
	}}})
	os.RemoveAll(dir)
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	for _, b := range [][]byte{raw, gz.Bytes(), manifest} {
		if err := os.WriteFile(filepath.Join(blobs, strings.TrimPrefix(digest(b), "sha256:")), b, 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.json"), index, 0o644)
}

func tarDir(dir, out string) error {
	var es []entry
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.IsDir() {
			es = append(es, entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: rel + "/", Mode: 0o755, ModTime: epoch}})
			return nil
		}
		body, err := os.ReadFile(p)
		es = append(es, file(rel, 0o644, body))
		return err
	})
	if err != nil {
		return err
	}
	return os.WriteFile(out, tarOf(es), 0o644)
}

// unitHostileConfig is busybox with a config whose every field tries to
// become a directive of a unit made by `generate systemd`.
func unitHostileConfig(cfg config) config {
	const payload = "\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned\n"
	cfg.Cmd = []string{"sleep", "1000" + payload, ";", "%n$HOME\\"}
	cfg.Env = append(cfg.Env, "EVIL=x"+payload)
	cfg.WorkingDir = "/tmp" + payload
	cfg.Labels = map[string]string{"evil": payload}
	return cfg
}
