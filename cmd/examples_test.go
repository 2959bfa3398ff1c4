package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command's --help shows an example, and every entry of examples
// belongs to a command that exists.
func TestEveryCommandHasAnExample(t *testing.T) {
	root := NewRootCmd()
	used := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			path := strings.TrimPrefix(sub.CommandPath(), "ctr-lite ")
			used[path] = true
			if twin, ok := strings.CutPrefix(path, "container "); ok {
				used[twin] = true
			}
			if sub.Example == "" && sub.Runnable() && !sub.HasSubCommands() && !strings.HasPrefix(path, "completion") && path != "help" {
				t.Errorf("%q has no example", path)
			}
			walk(sub)
		}
	}
	walk(root)
	for k := range examples {
		if !used[k] {
			t.Errorf("examples has %q, which is no command", k)
		}
	}
}
