package cmd

import (
	"strings"
	"testing"
)

type fmtRow struct {
	Names  string
	Status string
	Labels map[string]string
}

func formatted(t *testing.T, format string, rows ...fmtRow) string {
	t.Helper()
	var b strings.Builder
	if err := writeRows(&b, format, "{{.Names}}\\t{{.Status}}", rows); err != nil {
		t.Fatalf("%q: %v", format, err)
	}
	return b.String()
}

// docker's json does not escape HTML: a<b&c stays as written.
func TestTemplateJSONKeepsHTMLCharacters(t *testing.T) {
	row := fmtRow{Names: "a<b&c>", Labels: map[string]string{"x": "<&>"}}
	want := `{"Names":"a<b&c>","Status":"","Labels":{"x":"<&>"}}` + "\n"
	for _, format := range []string{"{{json .}}", "json"} {
		if got := formatted(t, format, row); got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
}

func TestTemplatePadTitleAndFriends(t *testing.T) {
	row := fmtRow{Names: "web", Status: "up here"}
	for format, want := range map[string]string{
		"[{{pad .Names 1 2}}]":                 "[ web  ]\n",
		"{{title .Status}}":                    "Up Here\n",
		"{{upper .Names}} {{lower \"AB\"}}":    "WEB ab\n",
		"{{join (split .Status \" \") \",\"}}": "up,here\n",
		"{{truncate .Status 2}}":               "up\n",
		"{{println .Names}}":                   "web\n\n",
	} {
		if got := formatted(t, format, row); got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
}

func TestTableHeaderNamesTheFieldInsideAFunction(t *testing.T) {
	got := formatted(t, "table {{pad .Names 0 1}}\\t{{title .Status}}", fmtRow{Names: "web", Status: "up"})
	want := "NAMES   STATUS\nweb     Up\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
