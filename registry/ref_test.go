package registry

import "testing"

func TestParseReference(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                         "busybox:latest",
		"busybox:1.36":                    "busybox:1.36",
		"library/busybox":                 "busybox:latest",
		"docker.io/library/busybox:1":     "busybox:1",
		"index.docker.io/user/app":        "user/app:latest",
		"localhost:5000/app":              "localhost:5000/app:latest",
		"localhost:5000/app:1.2":          "localhost:5000/app:1.2",
		"127.0.0.1:5000/a/b/c:x":          "127.0.0.1:5000/a/b/c:x",
		"quay.io/org/app@sha256:" + hex64: "quay.io/org/app@sha256:" + hex64,
		"alpine@sha256:" + hex64:          "alpine@sha256:" + hex64,
		"localhost/app":                   "localhost/app:latest",
	} {
		ref, err := ParseReference(in, false)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := FamiliarRef(ref); got != want {
			t.Errorf("FamiliarRef(%q) = %q, want %q", in, got, want)
		}
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseReferenceRefuses(t *testing.T) {
	for _, in := range []string{"", "UPPER/case", "a b", "app@sha256:short", "app:tag:extra", "app@sha256:../.."} {
		if _, err := ParseReference(in, false); err == nil {
			t.Errorf("ParseReference(%q) accepted", in)
		}
	}
}

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"busybox", "localhost:5000/a:b", "a@sha256:" + hex64, "x/y/z:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseReference(s, false)
		if err != nil {
			return
		}
		again, err := ParseReference(FamiliarRef(ref), false)
		if err != nil || again.Name() != ref.Name() {
			t.Fatalf("%q -> %q does not parse back the same: %v", s, FamiliarRef(ref), err)
		}
	})
}
