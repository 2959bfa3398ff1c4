package rootfs

import (
	"archive/tar"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A container's "/" is mode 0755 on both drivers, whatever the umask, and
// a non-root user can reach the image's files through it and through the
// directories the init layer adds (issue 10 #0: on overlay "/" was 0700,
// so `-u nobody` could not load libc). Root only: it mounts overlays.
func TestContainerRootIsTraversableByNonRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts overlays and switches users: run as root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("needs setpriv (util-linux)")
	}
	old := syscall.Umask(0o077) // a hardened host's umask must not leak in
	defer syscall.Umask(old)
	for _, driver := range []string{"overlay", "vfs"} {
		t.Run(driver, func(t *testing.T) {
			merged := mountTestContainer(t, driver)
			for _, rel := range []string{".", "bin", "etc", "proc"} {
				var st syscall.Stat_t
				if err := syscall.Stat(filepath.Join(merged, rel), &st); err != nil {
					t.Fatal(err)
				}
				if mode := st.Mode & 0o7777; mode != 0o755 || st.Uid != 0 {
					t.Errorf("/%s is %o owned by %d, want 755 root", strings.TrimPrefix(rel, "."), mode, st.Uid)
				}
			}
			// Relative to the merged root, as inside the container: the
			// store's own 0700 directories above it do not count.
			cmd := exec.Command(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", "--", "cat", "bin/tool")
			cmd.Dir = merged
			out, err := cmd.CombinedOutput()
			if err != nil || string(out) != "tool" {
				t.Errorf("uid 65534 reading /bin/tool: %v: %s", err, out)
			}
		})
	}
}

// mountTestContainer loads a one-layer image into a new store on driver
// and mounts a container of it; cleanup removes it.
func mountTestContainer(t *testing.T, driver string) string {
	t.Helper()
	s := testStore(t, driver)
	tool := tentry{name: "bin/tool", body: "tool", typ: tar.TypeReg, mode: 0o755}
	if _, err := s.Load(context.Background(), archive(t, "app:1", [][]byte{rawLayer(t, dirE("bin/"), tool)}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	img, err := s.Lookup("app:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Driver.CreateRW("c1", img.ChainIDs(), img.TopChainID()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Driver.RemoveRW("c1"); err != nil {
			t.Error(err)
		}
	})
	merged, err := s.Driver.Mount("c1", img.ChainIDs(), img.TopChainID(), true)
	if err != nil {
		t.Fatal(err)
	}
	return merged
}

// An init layer built by an earlier version under umask 077 has a 0700
// diff root, which CreateRW passes on to each new container's "/": the
// next create must give the container the image's 0755 (review 1 #11).
// The mount check runs only as root.
func TestOldInitLayerRootIsRepaired(t *testing.T) {
	s := testStore(t, "overlay")
	if _, err := s.Load(context.Background(), archive(t, "app:1", [][]byte{rawLayer(t, dirE("bin/"), reg("bin/tool", "tool"))}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	img, err := s.Lookup("app:1")
	if err != nil {
		t.Fatal(err)
	}
	d := s.Driver.(*overlayDriver)
	oldDiff := filepath.Join(d.initDir(img.TopChainID()), "diff") // as the old ensureInit left it
	if err := os.MkdirAll(oldDiff, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(oldDiff, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := setupInitLayer(oldDiff); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateRW("c1", img.ChainIDs(), img.TopChainID()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.RemoveRW("c1"); err != nil {
			t.Error(err)
		}
	}()
	roots := []string{oldDiff, filepath.Join(d.ctrDir("c1"), "diff")}
	if os.Geteuid() == 0 {
		merged, err := d.Mount("c1", img.ChainIDs(), img.TopChainID(), true)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, merged)
	}
	want755(t, roots...)
}

// want755 checks that each path is a directory of mode 0755.
func want755(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o755 {
			t.Errorf("%s is %o, want 755", p, mode)
		}
	}
}

// A layer root made by an older version under umask 077 is 0700: the
// container's "/" is still 0755, because a layer root's attrs never come
// from the image (review 2b #8). The overlay case builds an init layer,
// which mounts: root only.
func TestOldLayerRootGivesContainer0755(t *testing.T) {
	for _, driver := range []string{"overlay", "vfs"} {
		t.Run(driver, func(t *testing.T) {
			if driver == "overlay" && os.Geteuid() != 0 {
				t.Skip("builds an init layer (mounts an overlay): run as root")
			}
			s := testStore(t, driver)
			if _, err := s.Load(context.Background(), archive(t, "app:1", [][]byte{rawLayer(t, dirE("bin/"), reg("bin/tool", "tool"))}, nil, nil)); err != nil {
				t.Fatal(err)
			}
			img, err := s.Lookup("app:1")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(s.layerDir(img.TopChainID()), "diff"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := s.Driver.CreateRW("c1", img.ChainIDs(), img.TopChainID()); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := s.Driver.RemoveRW("c1"); err != nil {
					t.Error(err)
				}
			}()
			merged, err := s.Driver.Mount("c1", img.ChainIDs(), img.TopChainID(), true)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Driver.Unmount("c1")
			roots := []string{merged}
			if d, ok := s.Driver.(*overlayDriver); ok {
				roots = append(roots, filepath.Join(d.initDir(img.TopChainID()), "diff"), filepath.Join(d.ctrDir("c1"), "diff"))
			}
			want755(t, roots...)
		})
	}
}
