package specgen

import (
	"github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ApplySeccomp sets docker's default seccomp profile (moby/profiles), which
// depends on the spec's capabilities and the running kernel. Privileged
// containers run unconfined, as in docker.
func ApplySeccomp(s *specs.Spec, privileged bool) error {
	if privileged {
		return nil
	}
	p, err := seccomp.GetDefaultProfile(s)
	if err != nil {
		return err
	}
	s.Linux.Seccomp = p
	return nil
}
