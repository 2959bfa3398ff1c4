package cmd

import (
	"strings"
	"testing"
)

// Linked as a systemd generator, ctr-lite is `generate quadlet` with
// systemd's OUT EARLY LATE; under any other name it is itself.
func TestGeneratorArgs(t *testing.T) {
	for argv0, want := range map[string]string{
		"/usr/lib/systemd/system-generators/ctr-lite-generator": "generate quadlet --kmsg /out /early /late",
		"ctr-lite-generator": "generate quadlet --kmsg /out /early /late",
		"/usr/lib/systemd/user-generators/ctr-lite-user-generator": "generate quadlet --kmsg --user /out /early /late",
		"/usr/local/bin/ctr-lite":                                  "",
		"ctr-lite-generator-not":                                   "",
	} {
		args, ok := GeneratorArgs([]string{argv0, "/out", "/early", "/late"})
		if got := strings.Join(args, " "); got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", argv0, got, ok, want)
		}
	}
}
