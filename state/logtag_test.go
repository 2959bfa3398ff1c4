package state

import "testing"

func TestRenderLogTag(t *testing.T) {
	c := &Container{ID: "0123456789abcdef0123", Name: "web", Image: "sha256:fedcba9876543210", ImageName: "busybox"}
	info := NewLogTagInfo(c)
	for tmpl, want := range map[string]string{
		"":                           "0123456789ab",
		"{{.ID}}":                    "0123456789ab",
		"{{.Name}}/{{.ImageName}}":   "web/busybox",
		"x-{{.FullID}}-{{.ImageID}}": "x-0123456789abcdef0123-fedcba987654",
		"{{.DaemonName}}":            "ctr-lite",
	} {
		got, err := RenderLogTag(tmpl, info)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", tmpl, got, err, want)
		}
	}
	for _, bad := range []string{"{{.Nope}}", "{{.ID"} {
		if _, err := RenderLogTag(bad, info); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
