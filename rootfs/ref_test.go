package rootfs

import "testing"

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestNormalizeRef is the table for ctr-lite's one normaliser: every
// spelling of a Docker Hub name meets the familiar key, and a digest wins
// over a tag, as in docker.
func TestNormalizeRef(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"busybox", "busybox:latest"},
		{"busybox:1.36", "busybox:1.36"},
		{"library/busybox", "busybox:latest"},
		{"docker.io/busybox", "busybox:latest"},
		{"docker.io/library/busybox", "busybox:latest"},
		{"docker.io/library/busybox:1", "busybox:1"},
		{"index.docker.io/library/busybox", "busybox:latest"},
		{"index.docker.io/library/busybox:1", "busybox:1"},
		{"index.docker.io/user/app", "user/app:latest"},
		{"docker.io/user/app:2", "user/app:2"},
		// docker does not rewrite registry-1.docker.io: it is a registry of its own
		{"registry-1.docker.io/library/busybox", "registry-1.docker.io/library/busybox:latest"},
		{"localhost:5000/app", "localhost:5000/app:latest"},
		{"localhost:5000/app:1.2", "localhost:5000/app:1.2"},
		{"localhost/app", "localhost/app:latest"},
		{"127.0.0.1:5000/a/b/c:x", "127.0.0.1:5000/a/b/c:x"},
		{"quay.io/org/app@sha256:" + hex64, "quay.io/org/app@sha256:" + hex64},
		{"busybox@sha256:" + hex64, "busybox@sha256:" + hex64},
		{"docker.io/library/busybox@sha256:" + hex64, "busybox@sha256:" + hex64},
		// name:tag@digest is the digest; the tag is ignored
		{"busybox:1@sha256:" + hex64, "busybox@sha256:" + hex64},
		{"index.docker.io/library/busybox:1@sha256:" + hex64, "busybox@sha256:" + hex64},
		{"localhost:5000/app:2@sha256:" + hex64, "localhost:5000/app@sha256:" + hex64},
		// not references: IDs and prefixes are left for the ID lookup
		{"sha256:" + hex64, "sha256:" + hex64},
		{"UPPER", "UPPER"},
		{"app@sha256:short", "app@sha256:short"},
	} {
		if got := NormalizeRef(c.in); got != c.want {
			t.Errorf("NormalizeRef(%q) = %q, want %q", c.in, got, c.want)
		}
		if ref, err := ParseRef(c.in); err == nil && FamiliarRef(ref) != c.want {
			t.Errorf("FamiliarRef(ParseRef(%q)) = %q, want %q", c.in, FamiliarRef(ref), c.want)
		}
	}
}

func TestParseRefRefuses(t *testing.T) {
	for _, in := range []string{"", "UPPER/case", "a b", "app@sha256:short", "app:tag:extra", "app@sha256:../.."} {
		if _, err := ParseRef(in); err == nil {
			t.Errorf("ParseRef(%q) accepted", in)
		}
	}
}

// TestReadReposNormalizesOldKeys: keys stored before there was one
// normaliser stay findable.
func TestReadReposNormalizesOldKeys(t *testing.T) {
	s := vfsStore(t)
	id := "sha256:" + hex64
	other := "sha256:" + sha256Hex("other")
	if err := s.writeRepos(repositories{
		"busybox:latest":                   id,
		"index.docker.io/user/app:1":       id,
		"busybox:1@sha256:" + hex64:        id,
		"docker.io/library/busybox:latest": other, // the familiar key wins
		"localhost:5000/app:2":             id,
	}); err != nil {
		t.Fatal(err)
	}
	repos, err := s.readRepos()
	if err != nil {
		t.Fatal(err)
	}
	want := repositories{"busybox:latest": id, "user/app:1": id, "busybox@sha256:" + hex64: id, "localhost:5000/app:2": id}
	if len(repos) != len(want) {
		t.Fatalf("repos %v, want %v", repos, want)
	}
	for k, v := range want {
		if repos[k] != v {
			t.Errorf("repos[%q] = %q, want %q (all: %v)", k, repos[k], v, repos)
		}
	}
}

func FuzzNormalizeRef(f *testing.F) {
	for _, s := range []string{"busybox", "localhost:5000/a:b", "a@sha256:" + hex64, "x/y/z:1", "a:1@sha256:" + hex64} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeRef(s)
		if again := NormalizeRef(n); again != n {
			t.Fatalf("%q -> %q -> %q: not a fixed point", s, n, again)
		}
		ref, err := ParseRef(s)
		if err != nil {
			return
		}
		if again, err := ParseRef(FamiliarRef(ref)); err != nil || again.Name() != ref.Name() {
			t.Fatalf("%q -> %q does not parse back the same: %v", s, FamiliarRef(ref), err)
		}
	})
}

func TestFamiliarPattern(t *testing.T) {
	for in, want := range map[string]string{
		"busybox": "busybox", "busybox:1": "busybox:1", "docker.io/library/busybox": "busybox",
		"index.docker.io/library/busybox:1": "busybox:1", "busy*": "busy*", "*:latest": "*:latest",
		"localhost:5000/app": "localhost:5000/app", "localhost:5000/app:2": "localhost:5000/app:2",
	} {
		if got := FamiliarPattern(in); got != want {
			t.Errorf("FamiliarPattern(%q) = %q, want %q", in, got, want)
		}
	}
}
