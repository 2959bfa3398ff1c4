package registry

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// dockerHub is how go-containerregistry names Docker Hub.
const dockerHub = name.DefaultRegistry

// ParseReference parses s as docker does: a short name is on Docker Hub
// under library/, and a reference without tag or digest means :latest.
func ParseReference(s string, insecure bool) (name.Reference, error) {
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		return nil, fmt.Errorf("invalid reference format %q: want [REGISTRY/]REPOSITORY[:TAG|@sha256:DIGEST], lowercase", s)
	}
	return ref, nil
}

// Familiar is the name docker shows for a repository: Docker Hub's
// registry and library/ are left out.
func Familiar(repo name.Repository) string {
	if repo.RegistryStr() != dockerHub {
		return repo.Name()
	}
	return strings.TrimPrefix(repo.RepositoryStr(), "library/")
}

// FamiliarRef is ref in docker's short form: "busybox:latest",
// "localhost:5000/app@sha256:...".
func FamiliarRef(ref name.Reference) string {
	switch r := ref.(type) {
	case name.Tag:
		return Familiar(r.Repository) + ":" + r.TagStr()
	case name.Digest:
		return Familiar(r.Repository) + "@" + r.DigestStr()
	}
	return ref.String()
}
