package specgen

import (
	"fmt"

	"github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ApplySeccomp sets the container's seccomp filter: docker's default
// profile (moby/profiles), which depends on the spec's capabilities and the
// running kernel, or profile (a docker-format JSON profile) when given.
// Privileged containers and unconfined run without one, as in docker.
func ApplySeccomp(s *specs.Spec, privileged, unconfined bool, profile []byte) error {
	if privileged || unconfined {
		return nil
	}
	var p *specs.LinuxSeccomp
	var err error
	if profile != nil {
		p, err = seccomp.LoadProfile(string(profile), s)
	} else {
		p, err = seccomp.GetDefaultProfile(s)
	}
	if err != nil {
		return fmt.Errorf("seccomp profile: %w", err)
	}
	s.Linux.Seccomp = p
	return nil
}
