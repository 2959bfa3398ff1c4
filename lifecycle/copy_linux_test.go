package lifecycle

import "testing"

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
