package lifecycle

import "testing"

func TestCgroupsPathUnderParent(t *testing.T) {
	if p := cgroupsPath("abc", ""); p != "/ctr-lite/abc" {
		t.Errorf("default %q", p)
	}
	if p := cgroupsPath("abc", "/ctr-lite/batch"); p != "/ctr-lite/batch/abc" {
		t.Errorf("parent %q", p)
	}
}
