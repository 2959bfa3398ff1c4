package opts

import "github.com/ctr-lite/ctr-lite/specgen"

// NormalizeCapability checks a --cap-add/--cap-drop name (with or
// without CAP_, any case) and returns it as CAP_X, or ALL.
func NormalizeCapability(c string) (string, error) {
	n, err := specgen.NormalizeCapability(c)
	if n == specgen.CapAll {
		return "ALL", err
	}
	return n, err
}
