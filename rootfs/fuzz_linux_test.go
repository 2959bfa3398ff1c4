package rootfs

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzApplyLayer feeds arbitrary bytes to the extractor as a layer tar,
// with both whiteout formats. Whatever it makes of them, nothing may
// appear outside the root, and it must not panic.
func FuzzApplyLayer(f *testing.F) {
	seeds := [][]tentry{
		{reg("a", "x"), dirE("d"), sym("d/s", "/etc"), hard("h", "a")},
		{sym("esc", "/tmp"), reg("esc/evil", "x")},
		{dirE("d"), reg("d/.wh..wh..opq", ""), reg(".wh.a", "")},
		{reg("../x", "y")},
	}
	for _, s := range seeds {
		b, _ := io.ReadAll(layer(f, s...))
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, overlay bool) {
		top := t.TempDir()
		root := filepath.Join(top, "root")
		os.Mkdir(root, 0o755)
		format := FormatVFS
		if overlay {
			format = FormatOverlay
		}
		applyLayer(bytes.NewReader(data), root, format, 1<<20)
		entries, _ := os.ReadDir(top)
		if len(entries) != 1 {
			t.Fatalf("the layer wrote beside its root: %v", entries)
		}
	})
}
