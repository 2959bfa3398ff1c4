package cmd

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/docker/cli/templates"
)

// parseTemplate parses a --format template with docker's functions
// (json without HTML escaping, pad, title, join, split, upper, lower,
// truncate: docker/cli's templates package) besides Go's own (println).
func parseTemplate(format string) (*template.Template, error) {
	t, err := templates.New("format").Parse(format)
	if err != nil {
		return nil, fmt.Errorf("invalid --format template: %w", err)
	}
	return t, nil
}

// writeRows prints rows as docker's --format does: "" or "table" gives the
// default table, "json" one JSON object per line, "table TEMPLATE" a table
// of that template with a header, anything else the template per row.
func writeRows[T any](w io.Writer, format, defaultTable string, rows []T) error {
	return writeRowsWithHeaders(w, format, defaultTable, rows, nil)
}

// writeRowsWithHeaders is writeRows with column titles that differ from
// the shared headerNames (images calls its ID column "IMAGE ID").
func writeRowsWithHeaders[T any](w io.Writer, format, defaultTable string, rows []T, titles map[string]string) error {
	// One write for the whole listing, not several per cell: ps -a over
	// a thousand containers made 13,000 write calls.
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeFormatted(bw, format, defaultTable, rows, titles); err != nil {
		return err
	}
	return bw.Flush()
}

func writeFormatted[T any](w io.Writer, format, defaultTable string, rows []T, titles map[string]string) error {
	switch {
	case format == "" || format == "table":
		format = "table " + defaultTable
	case format == "json":
		format = "{{json .}}" // docker's JSONFormat
	}
	body, isTable := strings.CutPrefix(format, "table ")
	t, err := parseTemplate(unescapeTabs(body))
	if err != nil {
		return err
	}
	out := w
	var tw *tabwriter.Writer
	if isTable {
		tw = tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
		out = tw
		fmt.Fprintln(tw, headerOf(body, titles))
	}
	for _, r := range rows {
		if err := t.Execute(out, r); err != nil {
			return fmt.Errorf("format: %w", err)
		}
		fmt.Fprintln(out)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// writeOne prints one object with --format as docker's version and info
// do: "json" is {{json .}}; a template that does not parse exits 64.
func writeOne(w io.Writer, format string, v any) error {
	if format == "json" {
		format = "{{json .}}"
	}
	t, err := parseTemplate(unescapeTabs(format))
	if err != nil {
		return &statusError{code: exitBadTemplate, err: err}
	}
	if err := t.Execute(w, v); err != nil {
		return fmt.Errorf("format: %w", err)
	}
	_, err = fmt.Fprintln(w)
	return err
}

func unescapeTabs(s string) string { return strings.ReplaceAll(s, `\t`, "\t") }

// headerNames are docker's column titles for template fields.
var headerNames = map[string]string{
	"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "RunningFor": "CREATED",
	"CreatedAt": "CREATED AT", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES",
	"State": "STATE", "Repository": "REPOSITORY", "Tag": "TAG", "ImageID": "IMAGE ID",
	"CreatedSince": "CREATED", "Size": "SIZE", "Labels": "LABELS", "Digest": "DIGEST",
}

// headerOf derives a table header from a template: {{.Names}} -> NAMES.
func headerOf(tmpl string, titles map[string]string) string {
	var b strings.Builder
	rest := unescapeTabs(tmpl)
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return b.String()
		}
		name := fieldOf(rest[i+2 : i+j])
		if h, ok := titles[name]; ok {
			b.WriteString(h)
		} else if h, ok := headerNames[name]; ok {
			b.WriteString(h)
		} else {
			b.WriteString(strings.ToUpper(name))
		}
		rest = rest[i+j+2:]
	}
}

// fieldOf is the field an action prints: ".Names" in "{{.Names}}" and in
// "{{pad .Names 1 1}}" (docker titles a column by its field whatever the
// function around it).
func fieldOf(action string) string {
	words := strings.Fields(action)
	for _, w := range words {
		if name, ok := strings.CutPrefix(w, "."); ok && name != "" {
			return name
		}
	}
	return strings.Join(words, " ")
}
