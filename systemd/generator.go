package systemd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/ctr-lite/ctr-lite/state"
)

// QuadletDirs are where the generator looks for .container files, the
// first of a name winning, as Quadlet's: the system's, or for a user
// generator (rootless, later) $XDG_CONFIG_HOME/containers/systemd.
func QuadletDirs(user bool) []string {
	if !user {
		return []string{"/etc/containers/systemd"}
	}
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return []string{filepath.Join(d, "containers", "systemd")}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return []string{filepath.Join(home, ".config", "containers", "systemd")}
	}
	return nil
}

// GeneratorOptions is one run of the generator.
type GeneratorOptions struct {
	Binary string    // absolute path of ctr-lite, for ExecStart
	Dirs   []string  // where the .container files are
	Out    string    // the generator's output directory; "" prints the units to Print
	Print  io.Writer // for Out == ""
	Errors io.Writer // one line a file that fails
}

// ErrGenerator says some files made no unit; each was named on Errors.
var ErrGenerator = errors.New("some Quadlet files made no unit")

// Generate writes NAME.service into o.Out for every NAME.container in
// o.Dirs, and the .wants/ and .requires/ links its [Install] asks for
// (a generated unit cannot be enabled with systemctl). A file that
// cannot be read or translated is named on o.Errors and skipped; the
// others are written all the same, and the result is ErrGenerator.
func Generate(o GeneratorOptions) error {
	if o.Out != "" {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return fmt.Errorf("make the output directory %q: %w", o.Out, err)
		}
	}
	files, failed := quadletFiles(o.Dirs, o.Errors)
	for _, path := range files {
		if err := generateOne(o, path); err != nil {
			fmt.Fprintf(o.Errors, "ctr-lite generate quadlet: %s\n", oneLine(err))
			failed = true
		}
	}
	if failed {
		return ErrGenerator
	}
	return nil
}

// quadletFiles are the .container files of dirs, by name, the first
// directory's winning; a directory that cannot be read is reported.
func quadletFiles(dirs []string, errs io.Writer) (paths []string, failed bool) {
	seen := map[string]bool{}
	for _, d := range dirs {
		d, _ = filepath.Abs(d) // SourcePath= and relative files want it whole
		entries, err := os.ReadDir(d)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			fmt.Fprintf(errs, "ctr-lite generate quadlet: read directory %q: %s\n", d, oneLine(err))
			failed = true
			continue
		}
		for _, e := range entries {
			if name := e.Name(); strings.HasSuffix(name, ".container") && !seen[name] {
				seen[name] = true
				paths = append(paths, filepath.Join(d, name))
			}
		}
	}
	sort.Slice(paths, func(i, j int) bool { return filepath.Base(paths[i]) < filepath.Base(paths[j]) })
	return paths, failed
}

func generateOne(o GeneratorOptions, path string) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read Quadlet file %q: %w", path, err)
	}
	q, err := Quadlet(o.Binary, path, string(text))
	if err != nil {
		return err
	}
	if o.Out == "" {
		_, err := fmt.Fprintf(o.Print, "---%s---\n%s\n", q.Name, q.Text)
		return err
	}
	if err := state.WriteFileAtomic(filepath.Join(o.Out, q.Name), []byte(q.Text), 0o644, false); err != nil {
		return fmt.Errorf("write unit %q: %w", q.Name, err)
	}
	return linkInstall(o.Out, q)
}

// linkInstall makes OUT/TARGET.wants/NAME -> ../NAME for each WantedBy=
// target (.requires/ for RequiredBy=), what systemctl enable would. A
// target must be a unit name, not a path.
func linkInstall(out string, q *QuadletUnit) error {
	links := map[string][]string{"wants": q.Wants, "requires": q.Require}
	for _, kind := range []string{"wants", "requires"} {
		for _, target := range links[kind] {
			if !installTarget.MatchString(target) {
				return fmt.Errorf("%s: [Install] names %q, which is no unit name", q.Name, target)
			}
			dir := filepath.Join(out, target+"."+kind)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("make %q for %s: %w", dir, q.Name, err)
			}
			link := filepath.Join(dir, q.Name)
			_ = os.Remove(link) // a link of an earlier run is replaced
			if err := os.Symlink(filepath.Join("..", q.Name), link); err != nil {
				return fmt.Errorf("link %s into %q: %w", q.Name, dir, err)
			}
		}
	}
	return nil
}

// installTarget is a unit an [Install] line may name: a name, not a
// path (an instance's @ allowed).
var installTarget = regexp.MustCompile(`^[A-Za-z0-9:_.@-]+$`)

// oneLine keeps a message on one line for the generator's log.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", `\n`) }
