package cmd

import "testing"

func TestSplitCopyArg(t *testing.T) {
	for _, tc := range []struct {
		arg, ctr, path string
		in             bool
	}{
		{"c:/x", "c", "/x", true},
		{"c:x", "c", "x", true},
		{"-", "", "-", false},
		{"/a:b", "", "/a:b", false},
		{"./a:b", "", "./a:b", false},
		{"file", "", "file", false},
	} {
		ctr, p, in := splitCopyArg(tc.arg)
		if ctr != tc.ctr || p != tc.path || in != tc.in {
			t.Errorf("splitCopyArg(%q) = %q, %q, %v", tc.arg, ctr, p, in)
		}
	}
}
