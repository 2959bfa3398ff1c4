package archive

import "testing"

func TestPlanCopy(t *testing.T) {
	for _, tc := range []struct {
		src              string
		srcDir           bool
		dest             string
		destExists, dDir bool
		want             Plan
		wantErr          bool
	}{
		{"/a/f", false, "/d/g", false, false, Plan{"/d", "g"}, false},
		{"/a/f", false, "/d/g/", false, false, Plan{}, true},
		{"/a/f", false, "/d/g", true, false, Plan{"/d", "g"}, false},
		{"/a/f", false, "/d", true, true, Plan{"/d", "f"}, false},
		{"/a/f/", false, "/d", true, true, Plan{}, true},
		{"/a/s", true, "/d/n", false, false, Plan{"/d", "n"}, false},
		{"/a/s", true, "/d/f", true, false, Plan{}, true},
		{"/a/s", true, "/d", true, true, Plan{"/d", "s"}, false},
		{"/a/s/", true, "/d", true, true, Plan{"/d", "s"}, false},
		{"/a/s/.", true, "/d", true, true, Plan{"/d", "."}, false},
		{"/a/s/.", true, "/d/n", false, false, Plan{"/d", "n"}, false},
	} {
		got, err := PlanCopy(tc.src, tc.srcDir, tc.dest, tc.destExists, tc.dDir)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("PlanCopy(%q, %v, %q, %v, %v) = %v, %v; want %v, err %v", tc.src, tc.srcDir, tc.dest, tc.destExists, tc.dDir, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestBaseName(t *testing.T) {
	for in, want := range map[string]string{"/": ".", "/etc": "etc", "/etc/": "etc", "/etc/.": ".", "x": "x"} {
		if got := BaseName(in, true); got != want {
			t.Errorf("BaseName(%q) = %q, want %q", in, got, want)
		}
	}
}
