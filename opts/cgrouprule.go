package opts

import (
	"fmt"
	"regexp"
)

// deviceCgroupRule is docker's --device-cgroup-rule syntax: TYPE MAJOR:MINOR ACCESS.
var deviceCgroupRule = regexp.MustCompile(`^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$`)

// DeviceCgroupRules is --device-cgroup-rule, e.g. 'c 1:3 mr' or 'b *:* rwm'.
func DeviceCgroupRules(p *[]string) Value {
	return &value{typ: "rule", set: func(s string) error {
		if !deviceCgroupRule.MatchString(s) {
			return fmt.Errorf("invalid --device-cgroup-rule %q: want TYPE MAJOR:MINOR ACCESS, e.g. 'c 1:3 mr'", s)
		}
		*p = append(*p, s)
		return nil
	}}
}
