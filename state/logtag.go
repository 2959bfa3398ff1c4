package state

import (
	"fmt"
	"strings"
	"text/template"
)

// LogTagInfo is what a --log-opt tag template sees: docker's names
// ({{.ID}} is the short ID, {{.Name}} the name without a slash).
type LogTagInfo struct {
	ID, FullID, Name      string
	ImageID, ImageFullID  string
	ImageName, DaemonName string
}

// DefaultLogTag is docker's default tag, the container's short ID.
const DefaultLogTag = "{{.ID}}"

// NewLogTagInfo describes container c for a tag template.
func NewLogTagInfo(c *Container) LogTagInfo {
	img := strings.TrimPrefix(c.Image, "sha256:")
	return LogTagInfo{ID: ShortID(c.ID), FullID: c.ID, Name: strings.TrimPrefix(c.Name, "/"),
		ImageID: ShortID(img), ImageFullID: c.Image, ImageName: c.ImageName, DaemonName: "ctr-lite"}
}

// RenderLogTag expands a --log-opt tag template (DefaultLogTag if empty).
func RenderLogTag(tmpl string, info LogTagInfo) (string, error) {
	if tmpl == "" {
		tmpl = DefaultLogTag
	}
	t, err := template.New("tag").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("invalid --log-opt tag %q: %w", tmpl, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, info); err != nil {
		return "", fmt.Errorf("invalid --log-opt tag %q: %w", tmpl, err)
	}
	return b.String(), nil
}
