package opts

import (
	"fmt"
	"strings"

	"github.com/ctr-lite/ctr-lite/specgen"
)

// NormalizeCapability checks a --cap-add/--cap-drop name (with or
// without CAP_, any case) and returns it as CAP_X, or ALL.
func NormalizeCapability(c string) (string, error) {
	n := "CAP_" + strings.TrimPrefix(strings.ToUpper(c), "CAP_")
	if n == "CAP_ALL" {
		return "ALL", nil
	}
	for _, known := range specgen.AllCapabilities {
		if n == known {
			return n, nil
		}
	}
	return "", fmt.Errorf("unknown capability %q: see capabilities(7) for names", c)
}
