package rootfs

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

type tentry struct {
	name, link, body string
	typ              byte
	mode             int64
}

func layer(t testing.TB, entries ...tentry) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: mode, Size: int64(len(e.body)), Uid: os.Getuid(), Gid: os.Getgid()}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	return bytes.NewReader(buf.Bytes())
}

func reg(name, body string) tentry  { return tentry{name: name, body: body, typ: tar.TypeReg} }
func dirE(name string) tentry       { return tentry{name: name, typ: tar.TypeDir, mode: 0o755} }
func sym(name, link string) tentry  { return tentry{name: name, link: link, typ: tar.TypeSymlink} }
func hard(name, link string) tentry { return tentry{name: name, link: link, typ: tar.TypeLink} }
func needRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root: whiteouts are device nodes and trusted.* xattrs")
	}
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func TestApplyVFSWhiteoutsAndOpaque(t *testing.T) {
	root := t.TempDir()
	mustApply(t, root, FormatVFS, dirE("d/"), reg("d/gone", "x"), reg("d/keep", "k"), dirE("o/"), reg("o/old", "o"))
	mustApply(t, root, FormatVFS, reg("o/new", "n"), reg("d/.wh.gone", ""), reg("o/.wh..wh..opq", ""))
	if exists(filepath.Join(root, "d/gone")) || !exists(filepath.Join(root, "d/keep")) {
		t.Error("whiteout not applied by deletion")
	}
	if exists(filepath.Join(root, "o/old")) || !exists(filepath.Join(root, "o/new")) {
		t.Error("opaque dir must drop older content but keep this layer's")
	}
	if exists(filepath.Join(root, "o/.wh..wh..opq")) || exists(filepath.Join(root, "d/.wh.gone")) {
		t.Error("whiteout markers must not be written in vfs format")
	}
}

func TestApplyOverlayWhiteoutsAndOpaque(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	mustApply(t, root, FormatOverlay, dirE("d/"), reg("d/.wh.gone", ""), dirE("o/"), reg("o/.wh..wh..opq", ""), reg("o/new", "n"))
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(root, "d/gone"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("want a 0/0 char device whiteout, got %+v %v", st, err)
	}
	val := make([]byte, 8)
	n, err := unix.Getxattr(filepath.Join(root, "o"), overlayOpaqueXattr, val)
	if err != nil || string(val[:n]) != "y" {
		t.Errorf("want opaque xattr, got %q %v", val[:n], err)
	}
}

func TestApplyLinks(t *testing.T) {
	root := t.TempDir()
	mustApply(t, root, FormatVFS, dirE("a/"), reg("a/f", "data"), hard("a/h", "a/f"), sym("a/s", "/a/f"), sym("a/rel", "../a/f"))
	var st1, st2 unix.Stat_t
	unix.Stat(filepath.Join(root, "a/f"), &st1)
	unix.Stat(filepath.Join(root, "a/h"), &st2)
	if st1.Ino != st2.Ino {
		t.Error("hard link must share the inode")
	}
	if l, _ := os.Readlink(filepath.Join(root, "a/s")); l != "/a/f" {
		t.Errorf("symlink target kept verbatim: %q", l)
	}
}

func TestApplyKeepsSetuidThroughHardlink(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	f := reg("f", "x")
	f.mode = 0o4755
	mustApply(t, root, FormatVFS, f, hard("g", "f"))
	fi, _ := os.Stat(filepath.Join(root, "f"))
	if fi.Mode()&os.ModeSetuid == 0 {
		t.Errorf("setuid lost: %v", fi.Mode())
	}
}

// TestApplyRejectsEscapes: nothing is written outside root; each hostile
// entry is refused or lands inside.
func TestApplyRejectsEscapes(t *testing.T) {
	cases := map[string][]tentry{
		"dotdot":                {reg("../evil", "x")},
		"dotdot in middle":      {reg("a/../../evil", "x")},
		"hardlink outside":      {hard("h", "../victim/secret")},
		"whiteout dotdot":       {reg(".wh..", "")},
		"whiteout dot dot dot":  {reg("x/.wh...", "")},
		"symlink dir then file": {sym("esc", "../victim"), reg("esc/planted", "x")},
		"absolute symlink dir":  {sym("abs", "/"), reg("abs/planted", "x")},
	}
	for name, entries := range cases {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			root := filepath.Join(base, "root")
			victim := filepath.Join(base, "victim")
			os.MkdirAll(root, 0o755)
			os.MkdirAll(victim, 0o755)
			os.WriteFile(filepath.Join(victim, "secret"), []byte("s"), 0o600)
			ApplyLayer(layer(t, entries...), root, FormatVFS) // may fail: that is fine
			if exists(filepath.Join(base, "evil")) || exists(filepath.Join(victim, "planted")) || exists("/planted") {
				t.Fatal("an entry escaped the root")
			}
			if got, _ := os.ReadFile(filepath.Join(victim, "secret")); string(got) != "s" {
				t.Fatal("victim changed")
			}
		})
	}
}

func TestApplyRejectsDotDotWithClearError(t *testing.T) {
	_, err := ApplyLayer(layer(t, reg("../evil", "x")), t.TempDir(), FormatVFS)
	if err == nil || !strings.Contains(err.Error(), "escapes") {
		t.Fatalf("want an escape error, got %v", err)
	}
}

func mustApply(t *testing.T, root string, f Format, entries ...tentry) {
	t.Helper()
	if _, err := ApplyLayer(layer(t, entries...), root, f); err != nil {
		t.Fatal(err)
	}
}

func TestChainIDs(t *testing.T) {
	a := "sha256:" + strings.Repeat("a", 64)
	b := "sha256:" + strings.Repeat("b", 64)
	ids := chainIDs([]string{a, b})
	if ids[0] != a || ids[1] != "sha256:"+sha256Hex(a+" "+b) {
		t.Errorf("chain IDs %v", ids)
	}
}

func TestDigestHexRejectsPaths(t *testing.T) {
	for _, d := range []string{"sha256:../..", "sha512:" + strings.Repeat("a", 128), "sha256:" + strings.Repeat("g", 64), ""} {
		if _, err := digestHex(d); err == nil {
			t.Errorf("%q accepted", d)
		}
	}
}

// Real images carry PAX global headers (git archive and some build tools
// write one first): they are accepted and create nothing (issue 10 #12).
func TestApplyIgnoresPAXGlobalHeader(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	global := &tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header",
		PAXRecords: map[string]string{"comment": "0123456789abcdef"}}
	if err := tw.WriteHeader(global); err != nil {
		t.Fatal(err)
	}
	body := "hello"
	tw.WriteHeader(&tar.Header{Name: "etc/motd", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), Uid: os.Getuid(), Gid: os.Getgid()})
	tw.Write([]byte(body))
	tw.Close()
	root := t.TempDir()
	if _, err := ApplyLayer(bytes.NewReader(buf.Bytes()), root, FormatVFS); err != nil {
		t.Fatalf("a layer with a PAX global header must unpack: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(root, "etc/motd")); err != nil || string(got) != body {
		t.Errorf("etc/motd = %q, %v", got, err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Errorf("the global header must create nothing, root has %v", entries)
	}
}
