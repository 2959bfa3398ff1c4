package lifecycle

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFsRootLocate(t *testing.T) {
	r := fsRoot{root: "/r", mounts: []hostMount{{dest: "/data", host: "/v/data"}, {dest: "/data/sub", host: "/v/sub", readOnly: true}}}
	for _, tc := range []struct {
		in, dir, rel string
		ro           bool
	}{
		{"/etc/x", "/r", "/etc/x", false},
		{"/database", "/r", "/database", false},
		{"/data", "/v/data", "/", false},
		{"/data/f", "/v/data", "/f", false},
		{"/data/sub/", "/v/sub", "/", true},
		{"/data/.", "/v/data", "/.", false},
		{"/data/sub/x/.", "/v/sub", "/x/.", true},
		{"data/../data/f", "/v/data", "/f", false},
	} {
		dir, rel, ro := r.locate(tc.in)
		if dir != tc.dir || rel != tc.rel || ro != tc.ro {
			t.Errorf("locate(%q) = %q, %q, %v; want %q, %q, %v", tc.in, dir, rel, ro, tc.dir, tc.rel, tc.ro)
		}
	}
}

// A symlink to a mount's destination resolves into the mount, a link in
// the mount resolves against the container's root, and "/" or "/."
// endings survive.
func TestFsRootResolveAcrossMounts(t *testing.T) {
	base := t.TempDir()
	root, vol := filepath.Join(base, "root"), filepath.Join(base, "vol")
	for _, d := range []string{root + "/data", root + "/etc", vol + "/sub"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("/data", filepath.Join(root, "x"))
	os.Symlink("/etc", filepath.Join(vol, "up"))
	r := fsRoot{root: root, mounts: []hostMount{{dest: "/data", host: vol, readOnly: true}}}
	for _, tc := range []struct {
		in     string
		follow bool
		want   string
	}{
		{"/x/sub/f", true, "/data/sub/f"},
		{"/x/", true, "/data/"},
		{"/x/.", true, "/data/."},
		{"/x", false, "/x"},
		{"/x", true, "/data"},
		{"/x/up/passwd", true, "/etc/passwd"},
		{"/../../x/sub", true, "/data/sub"},
	} {
		got, err := r.resolve(tc.in, tc.follow)
		if err != nil || got != tc.want {
			t.Errorf("resolve(%q, %v) = %q, %v; want %q", tc.in, tc.follow, got, err, tc.want)
		}
	}
}
