package lifecycle

import (
	"os"
	"path/filepath"
	"testing"
)

// A hostile image's symlinks at a volume's path resolve inside the
// rootfs: seeding never reads the host's directory they name.
func TestOpenImageDirStaysInRootfs(t *testing.T) {
	root := t.TempDir()
	host := t.TempDir() // stands for a host directory with secrets
	os.WriteFile(filepath.Join(host, "secret"), []byte("x"), 0o600)
	os.MkdirAll(filepath.Join(root, "var", "inside"), 0o755)
	os.WriteFile(filepath.Join(root, "var", "inside", "mine"), nil, 0o644)
	for name, target := range map[string]string{"abs": host, "rel": "../../../../../../.." + host, "in": "/var/inside"} {
		if err := os.Symlink(target, filepath.Join(root, "var", name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, dest := range []string{"/var/abs", "/var/rel"} {
		f, err := openImageDir(root, dest)
		if err != nil || f != nil {
			t.Errorf("%s: got %v, %v; want nothing to seed from (the host directory is outside)", dest, f, err)
		}
	}
	f, err := openImageDir(root, "/var/in")
	if err != nil || f == nil {
		t.Fatalf("/var/in: %v, %v; want the directory inside the rootfs", f, err)
	}
	defer f.Close()
	if names, _ := f.Readdirnames(-1); len(names) != 1 || names[0] != "mine" {
		t.Fatalf("/var/in read %v, want [mine]", names)
	}
	if f, _ := openImageDir(root, "/var/inside/mine"); f != nil {
		t.Fatal("a file is not a directory to seed from")
	}
}
