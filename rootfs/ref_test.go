package rootfs

import (
	"context"
	"strings"
	"testing"
)

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

// TestParseRefRefusesIDNames: as docker, a 64-hex repository and the
// repository "sha256" are not names, so no archive or tag can name an
// image after another image's full ID (review 2b #3).
func TestParseRefRefusesIDNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{hex64, "cannot specify 64-byte hexadecimal strings"},
		{hex64 + ":latest", "cannot specify 64-byte hexadecimal strings"},
		{"docker.io/library/" + hex64 + ":1", "cannot specify 64-byte hexadecimal strings"},
		{"sha256:" + hex64, "digest algorithm as name"},
		{"sha256:latest", "digest algorithm as name"},
		{"docker.io/library/sha256:1", "digest algorithm as name"},
	} {
		_, err := ParseRef(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRef(%q) = %v, want %q", c.in, err, c.want)
		}
	}
	// not the familiar repository: allowed, as in docker
	for _, in := range []string{"localhost:5000/" + hex64, "user/" + hex64, "user/sha256:1", hex64[:63]} {
		if _, err := ParseRef(in); err != nil {
			t.Errorf("ParseRef(%q): %v", in, err)
		}
	}
}

// TestFullIDResolvesAsID: an index entry spelled as an image's full ID
// (left by an older version) never takes that ID over.
func TestFullIDResolvesAsID(t *testing.T) {
	s := vfsStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1"))}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, archive(t, "evil:1", [][]byte{rawLayer(t, reg("b", "2"))}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	app, _ := s.Lookup("app:1")
	evil, _ := s.Lookup("evil:1")
	h := strings.TrimPrefix(app.ID, "sha256:")
	// written by hand: ParseRef keeps such names out of the index now
	if err := s.writeRepos(repositories{"app:1": app.ID, "evil:1": evil.ID, h + ":latest": evil.ID, "sha256:" + h: evil.ID}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{h, "sha256:" + h} {
		img, err := s.Resolve(ref)
		if err != nil || img.ID != app.ID {
			t.Errorf("Resolve(%q) = %v %v, want %s", ref, img, err, app.ID)
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
		// names that read as IDs (written by an older version): dropped
		"sha256:" + hex64:       other,
		hex64 + ":latest":       other,
		"docker.io/" + hex64:    other,
		"library/sha256:abcdef": other,
	}); err != nil {
		t.Fatal(err)
	}
	var warned []string
	s.Warn = func(m string) { warned = append(warned, m) }
	repos, _, err := s.readRepos()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.readRepos(); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 4 {
		t.Errorf("want one warning per dropped name, once per process: %q", warned)
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
