package rootfs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// This file is ctr-lite's one reading of an image reference: the store's
// keys, what commands print, and what pull, push and tag send all come
// from ParseRef and FamiliarRef, so a name found by one is found by all.
//
// The rules are docker's (distribution/reference's ParseNormalizedNamed
// and FamiliarString):
//   - no registry means Docker Hub, and a one-part Hub name is library/...;
//     "docker.io" and "index.docker.io" are Hub; "registry-1.docker.io" is
//     not rewritten (docker keeps it as a registry of its own);
//   - no tag or digest means :latest;
//   - "name:tag@digest" is the digest: the tag is dropped, as docker's
//     reference store looks such a reference up by digest alone;
//   - a name that reads as an image ID is refused: a repository of 64 hex
//     digits, or the repository "sha256" ("sha256:<ID>"). Otherwise an
//     archive or tag could name an image after another image's ID, and
//     a reference pinned by ID would run the impostor.

// idNameError is ParseRef's error for a name that reads as an image ID.
type idNameError string

func (e idNameError) Error() string { return string(e) }

var fullIDRe = regexp.MustCompile(`^(sha256:)?[a-f0-9]{64}$`)

// isFullID reports whether s is a full image ID, with or without sha256:.
func isFullID(s string) bool { return fullIDRe.MatchString(s) }

// ParseRef parses s as docker does (above). The options are
// go-containerregistry's, for example name.Insecure.
func ParseRef(s string, opts ...name.Option) (name.Reference, error) {
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		return nil, fmt.Errorf("invalid reference format %q: want [REGISTRY/]REPOSITORY[:TAG|@sha256:DIGEST], lowercase", s)
	}
	switch repo := FamiliarRepo(ref.Context()); {
	case isFullID(repo):
		return nil, idNameError(fmt.Sprintf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", repo))
	case repo == "sha256":
		return nil, idNameError(fmt.Sprintf("invalid reference %q: refusing to create an ambiguous tag using digest algorithm as name", s))
	}
	return ref, nil
}

// FamiliarRepo is the name docker shows for a repository: Docker Hub's
// registry and library/ are left out.
func FamiliarRepo(repo name.Repository) string {
	if repo.RegistryStr() != name.DefaultRegistry {
		return repo.Name()
	}
	return strings.TrimPrefix(repo.RepositoryStr(), "library/")
}

// FamiliarRef is ref in docker's short form, the form the store keys
// images by: "busybox:latest", "user/app:1", "localhost:5000/app@sha256:...".
func FamiliarRef(ref name.Reference) string {
	switch r := ref.(type) {
	case name.Tag:
		return FamiliarRepo(r.Repository) + ":" + r.TagStr()
	case name.Digest:
		return FamiliarRepo(r.Repository) + "@" + r.DigestStr()
	}
	return ref.String()
}

// NormalizeRef is FamiliarRef of s, or s itself when s is not a reference
// (an image ID or ID prefix, which the store then looks up as such).
func NormalizeRef(s string) string {
	ref, err := ParseRef(s)
	if err != nil {
		return s
	}
	return FamiliarRef(ref)
}

// FamiliarPattern is an images filter pattern in familiar form when it is
// a reference ("docker.io/library/busybox" -> "busybox", "index.docker.io/
// library/busybox:1" -> "busybox:1"); a pattern with shell wildcards is
// not a reference and is left as it is, as docker matches it.
func FamiliarPattern(p string) string {
	ref, err := ParseRef(p)
	if err != nil {
		return p
	}
	if t, ok := ref.(name.Tag); ok && !strings.HasSuffix(p, ":"+t.TagStr()) {
		return FamiliarRepo(t.Repository) // no tag given: every tag matches
	}
	return FamiliarRef(ref)
}

// SplitRef splits a familiar tag reference into repository and tag.
func SplitRef(ref string) (repo, tag string) {
	if i := strings.LastIndex(ref, ":"); i >= 0 && !strings.Contains(ref[i:], "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, "<none>"
}
