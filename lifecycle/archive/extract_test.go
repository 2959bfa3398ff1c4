package archive

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	kind       byte
	body       string
	mode       int64
}

func tarOf(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.kind, Mode: mode, Size: int64(len(e.body)),
			Uid: os.Getuid(), Gid: os.Getgid()}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// sandbox is a root to extract into and, beside it, an outside directory
// holding a secret that no extraction may change.
func sandbox(t *testing.T) (root, out string) {
	t.Helper()
	base := t.TempDir()
	root, out = filepath.Join(base, "root"), filepath.Join(base, "out")
	for _, d := range []string{root, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(out, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { outsideUnchanged(t, out) })
	return root, out
}

func outsideUnchanged(t *testing.T, out string) {
	t.Helper()
	names, _ := os.ReadDir(out)
	if len(names) != 1 || names[0].Name() != "secret" {
		t.Errorf("outside dir holds %v, want only secret", names)
	}
	fi, err := os.Lstat(filepath.Join(out, "secret"))
	if err != nil || fi.Mode() != 0o600 || fi.Sys() == nil {
		t.Fatalf("secret changed: %v %v", fi, err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "secret")); string(data) != "secret" {
		t.Errorf("secret now %q", data)
	}
}

func mustRead(t *testing.T, p, want string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil || string(data) != want {
		t.Errorf("%s = %q, %v; want %q", p, data, err, want)
	}
}

func TestExtractRefusesDotDot(t *testing.T) {
	root, _ := sandbox(t)
	err := Extract(tarOf(t, entry{name: "../out/x", kind: tar.TypeReg, body: "x"}), root, "/", "/")
	if err == nil || !strings.Contains(err.Error(), `".."`) {
		t.Fatalf("err = %v, want a .. refusal", err)
	}
}

func TestExtractSymlinksStayInRoot(t *testing.T) {
	root, out := sandbox(t)
	// A link to a directory the root does not have leads nowhere.
	err := Extract(tarOf(t,
		entry{name: "abs", kind: tar.TypeSymlink, link: out},
		entry{name: "abs/secret", kind: tar.TypeReg, body: "pwned"},
	), root, "/", "/")
	if err == nil {
		t.Fatal("a file through a dangling link: no error")
	}
	os.Remove(filepath.Join(root, "abs"))
	if err := os.MkdirAll(filepath.Join(root, out), 0o755); err != nil {
		t.Fatal(err)
	}
	err = Extract(tarOf(t,
		entry{name: "abs", kind: tar.TypeSymlink, link: out},
		entry{name: "abs/secret", kind: tar.TypeReg, body: "pwned", mode: 0o777},
		entry{name: "rel", kind: tar.TypeSymlink, link: "../../../../../../" + out},
		entry{name: "rel/new", kind: tar.TypeReg, body: "new"},
		entry{name: "up", kind: tar.TypeSymlink, link: out + "/secret", mode: 0o777},
	), root, "/", "/")
	if err != nil {
		t.Fatal(err)
	}
	mustRead(t, filepath.Join(root, out, "secret"), "pwned")
	mustRead(t, filepath.Join(root, out, "new"), "new")
	if l, _ := os.Readlink(filepath.Join(root, "up")); l != out+"/secret" {
		t.Errorf("symlink up = %q", l)
	}
}

func TestExtractReplacesSymlinkNotItsTarget(t *testing.T) {
	root, out := sandbox(t)
	if err := os.Symlink(filepath.Join(out, "secret"), filepath.Join(root, "s")); err != nil {
		t.Fatal(err)
	}
	if err := Extract(tarOf(t, entry{name: "s", kind: tar.TypeReg, body: "mine", mode: 0o4755}), root, "/", "/"); err != nil {
		t.Fatal(err)
	}
	mustRead(t, filepath.Join(root, "s"), "mine")
	if fi, _ := os.Lstat(filepath.Join(root, "s")); fi.Mode()&os.ModeSetuid == 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("mode = %v, want setuid 0755", fi.Mode())
	}
}

func TestExtractDestinationResolvesInRoot(t *testing.T) {
	root, out := sandbox(t)
	if err := os.Symlink(out, filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}
	if err := Extract(tarOf(t, entry{name: "f", kind: tar.TypeReg}), root, "/d", "/d"); err == nil {
		t.Fatal("extract through a dangling link: no error")
	}
	if err := os.MkdirAll(filepath.Join(root, out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Extract(tarOf(t, entry{name: "f", kind: tar.TypeReg, body: "f"}), root, "/d", "/d"); err != nil {
		t.Fatal(err)
	}
	mustRead(t, filepath.Join(root, out, "f"), "f")
}

func TestExtractHardlinks(t *testing.T) {
	root, out := sandbox(t)
	for _, link := range []string{"../out/secret", "l/secret", out + "/secret"} {
		err := Extract(tarOf(t,
			entry{name: "l", kind: tar.TypeSymlink, link: out},
			entry{name: "h", kind: tar.TypeLink, link: link},
		), root, "/", "/")
		if err == nil {
			t.Errorf("hard link to %q: no error", link)
		}
		os.Remove(filepath.Join(root, "l"))
	}
	if err := Extract(tarOf(t,
		entry{name: "a", kind: tar.TypeReg, body: "a"},
		entry{name: "sub/b", kind: tar.TypeLink, link: "a"},
	), root, "/", "/"); err != nil {
		t.Fatal(err)
	}
	mustRead(t, filepath.Join(root, "sub/b"), "a")
}

func TestExtractWhiteoutNamesAreFiles(t *testing.T) {
	root, _ := sandbox(t)
	os.MkdirAll(filepath.Join(root, "d"), 0o755)
	os.WriteFile(filepath.Join(root, "d/keep"), []byte("k"), 0o644)
	os.WriteFile(filepath.Join(root, "x"), []byte("x"), 0o644)
	if err := Extract(tarOf(t,
		entry{name: ".wh.x", kind: tar.TypeReg, body: "w"},
		entry{name: "d/", kind: tar.TypeDir, mode: 0o755},
		entry{name: "d/.wh..wh..opq", kind: tar.TypeReg},
		entry{name: "d/new", kind: tar.TypeReg, body: "n"},
		entry{name: "d/fifo", kind: tar.TypeFifo, mode: 0o640},
	), root, "/", "/"); err != nil {
		t.Fatal(err)
	}
	mustRead(t, filepath.Join(root, "x"), "x")
	mustRead(t, filepath.Join(root, ".wh.x"), "w")
	mustRead(t, filepath.Join(root, "d/keep"), "k")
	mustRead(t, filepath.Join(root, "d/.wh..wh..opq"), "")
	mustRead(t, filepath.Join(root, "d/new"), "n")
	if fi, err := os.Lstat(filepath.Join(root, "d/fifo")); err != nil || fi.Mode() != os.ModeNamedPipe|0o640 {
		t.Errorf("fifo = %v, %v", fi, err)
	}
}

func TestExtractDirNonDirClash(t *testing.T) {
	root, _ := sandbox(t)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("p"), 0o644)
	os.WriteFile(filepath.Join(root, "f"), []byte("f"), 0o644)
	err := Extract(tarOf(t, entry{name: "etc", kind: tar.TypeReg}), root, "/", "/")
	if err == nil || err.Error() != `cannot overwrite directory "/etc" with non-directory "etc"` {
		t.Errorf("file onto dir: %v", err)
	}
	err = Extract(tarOf(t, entry{name: "f/", kind: tar.TypeDir}), root, "/", "/")
	if err == nil || err.Error() != `cannot overwrite non-directory "/f" with directory "f/"` {
		t.Errorf("dir onto file: %v", err)
	}
	mustRead(t, filepath.Join(root, "etc/passwd"), "p")
	mustRead(t, filepath.Join(root, "f"), "f")
}
