package opts

import "testing"

func TestDeviceCgroupRules(t *testing.T) {
	var rules []string
	v := DeviceCgroupRules(&rules)
	for _, ok := range []string{"c 1:3 mr", "b *:* rwm", "a *:* r"} {
		if err := v.Set(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"x 1:3 r", "c 1 r", "c 1:3", "c 1:3 q", "c a:3 r"} {
		if err := v.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if len(rules) != 3 {
		t.Errorf("rules %v", rules)
	}
}
