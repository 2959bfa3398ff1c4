package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
)

func newInspectCmd(g *globals) *cobra.Command {
	var format, kind string
	c := &cobra.Command{
		Use:   "inspect [--format TEMPLATE] [--type container|image|network|volume] NAME|ID [NAME|ID...]",
		Short: "Show low-level information on containers, images, networks or volumes",
		Example: `  ctr-lite inspect c1
  ctr-lite inspect --format '{{.State.ExitCode}}' c1
  ctr-lite inspect --type network backend`,
		Args: minArgs(1, "NAME|ID [NAME|ID...]"),
		RunE: func(c *cobra.Command, args []string) error {
			if kind != "" && !slices.Contains(inspectKinds, kind) {
				return fmt.Errorf("%q is not a valid value for --type", kind)
			}
			e, err := g.engine()
			if err != nil {
				return err
			}
			return printInspect(c.OutOrStdout(), format, args, inspectGetter(e, kind))
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "", "Go template applied to each object")
	c.Flags().StringVar(&kind, "type", "", "only this kind of object: container, image, network or volume")
	return c
}

// printInspect prints a JSON array of every object, or the template per
// object; objects that are not found are reported after the others.
func printInspect(w io.Writer, format string, refs []string, get func(string) (any, error)) error {
	var objs []any
	var failed error
	for _, ref := range refs {
		v, err := get(ref)
		if err != nil {
			failed = err
			continue
		}
		objs = append(objs, v)
	}
	if format != "" {
		t, err := parseTemplate(format)
		if err != nil {
			return &statusError{code: exitBadTemplate, err: err}
		}
		for _, o := range objs {
			if err := t.Execute(w, asJSONValue(o)); err != nil {
				return fmt.Errorf("format: %w", err)
			}
			fmt.Fprintln(w)
		}
		return failed
	}
	if objs == nil {
		objs = []any{}
	}
	out, err := json.MarshalIndent(objs, "", "    ")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, string(out))
	return failed
}

// asJSONValue re-reads v as generic JSON, so templates use the JSON
// field names ({{.Id}}, {{.State.ExitCode}}) exactly as docker's do.
func asJSONValue(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	// Numbers stay as written (64 MiB prints 67108864, not 6.7108864e+07).
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return v
	}
	return out
}
