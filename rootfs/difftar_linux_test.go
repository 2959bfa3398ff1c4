package rootfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// tarListing is "NAME TYPE [LINK]" per entry, and each file's content.
func tarListing(t *testing.T, b []byte) ([]string, map[string]string) {
	t.Helper()
	var names []string
	content := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, content
		}
		if err != nil {
			t.Fatal(err)
		}
		line := hdr.Name + " " + string(hdr.Typeflag)
		if hdr.Linkname != "" {
			line += " " + hdr.Linkname
		}
		names = append(names, line)
		data, _ := io.ReadAll(tr)
		content[hdr.Name] = string(data)
	}
}

// TestWriteDiffTarOverlay: an overlay upper dir becomes a layer with
// ".wh.NAME" for each whiteout device and ".wh..wh..opq" for an opaque
// directory (not one whiteout per hidden name), symlinks stored as links
// and never followed; applied on the lower layer it gives the merged view.
func TestWriteDiffTarOverlay(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("whiteouts and trusted xattrs need root")
	}
	tmp := t.TempDir()
	lower, upper := filepath.Join(tmp, "lower"), filepath.Join(tmp, "upper")
	writeTree(t, lower, "bin/sh", "etc/passwd", "etc/group", "opq/a", "opq/b", "home/")
	writeTree(t, upper, "bin/", "etc/passwd", "new/file", "opq/b", "hl/one")
	if err := os.Link(filepath.Join(upper, "hl/one"), filepath.Join(upper, "hl/two")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(upper, "sym")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(upper, "bin", "sh"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(upper, "home"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(filepath.Join(upper, "opq"), overlayOpaqueXattr, []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	raw, err := overlayChanges(upper, []string{lower})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := WriteDiffTar(&buf, upper, FinishChanges(raw, nil), true)
	if err != nil {
		t.Fatal(err)
	}
	names, content := tarListing(t, buf.Bytes())
	want := []string{"bin/ 5", "bin/.wh.sh 0", "etc/ 5", "etc/passwd 0", "hl/ 5", "hl/one 0", "hl/two 1 hl/one",
		".wh.home 0", "new/ 5", "new/file 0", "opq/ 5", "opq/.wh..wh..opq 0", "opq/b 0", "sym 2 /"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") || n != len(want) {
		t.Errorf("got %d entries\n%s\nwant\n%s", n, strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if content["etc/passwd"] != "etc/passwd" {
		t.Errorf("etc/passwd holds %q", content["etc/passwd"])
	}
	// applied on the lower layer (vfs reading), the layer gives overlay's merged view
	if _, err := ApplyLayer(bytes.NewReader(buf.Bytes()), lower, FormatVFS); err != nil {
		t.Fatal(err)
	}
	for p, exists := range map[string]bool{"bin/sh": false, "home": false, "opq/a": false, "opq/b": true, "new/file": true, "etc/group": true} {
		if _, err := os.Lstat(filepath.Join(lower, p)); (err == nil) != exists {
			t.Errorf("%s: exists %v, want %v", p, err == nil, exists)
		}
	}
}

// TestWriteDiffTarVFS: deletions found by comparison become whiteouts;
// the same tree gives the same bytes (reproducible layers).
func TestWriteDiffTarVFS(t *testing.T) {
	tmp := t.TempDir()
	base, root := filepath.Join(tmp, "base"), filepath.Join(tmp, "root")
	writeTree(t, base, "etc/passwd", "etc/group", "gone/x")
	writeTree(t, root, "etc/passwd", "new")
	changes := []Change{{"/etc", ChangeModify}, {"/etc/group", ChangeDelete}, {"/gone", ChangeDelete}, {"/new", ChangeAdd}}
	var a, b bytes.Buffer
	if _, err := WriteDiffTar(&a, root, changes, false); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteDiffTar(&b, root, changes, false); err != nil {
		t.Fatal(err)
	}
	names, _ := tarListing(t, a.Bytes())
	if got, want := strings.Join(names, ","), "etc/ 5,etc/.wh.group 0,.wh.gone 0,new 0"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of one tree differ")
	}
}

// TestWriteDiffTarStaysInRoot: a change below a symlink the container
// made is read inside its layer, never through the link to the host.
func TestWriteDiffTarStaysInRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "etc/passwd")
	if err := os.Symlink("/", filepath.Join(root, "sym")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := WriteDiffTar(&buf, root, []Change{{"/sym/etc/passwd", ChangeModify}}, false); err != nil {
		t.Fatal(err)
	}
	_, content := tarListing(t, buf.Bytes())
	if got := content["sym/etc/passwd"]; got != "etc/passwd" {
		t.Errorf("read %q: not the layer's own file", got)
	}
}

func TestWriteDiffTarEmpty(t *testing.T) {
	var buf bytes.Buffer
	n, err := WriteDiffTar(&buf, t.TempDir(), nil, true)
	if err != nil || n != 0 || buf.Len() != 0 {
		t.Errorf("got %d entries, %d bytes, %v", n, buf.Len(), err)
	}
}

func TestFullHistory(t *testing.T) {
	var c ImageConfig
	c.RootFS.DiffIDs = []string{"sha256:a", "sha256:b", "sha256:c"}
	c.History = []History{{CreatedBy: "cmd", EmptyLayer: true}, {CreatedBy: "top"}}
	h := c.FullHistory()
	if len(h) != 4 || h[0].CreatedBy != "" || h[1].CreatedBy != "" || h[3].CreatedBy != "top" || h[0].Created == nil {
		t.Errorf("got %+v", h)
	}
}
