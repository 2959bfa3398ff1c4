package images

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/ctr-lite/ctr-lite/events"
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/rootfs"
)

// ImportOptions are docker import's: the --change instructions, the
// message (-m) and the name to give the image ("" leaves it untagged).
type ImportOptions struct {
	Changes []string
	Message string
	Ref     string
}

// ImportImage is import: the tar r becomes a one-layer image. It returns
// the image ID.
func (e *Engine) ImportImage(ctx context.Context, r io.Reader, o ImportOptions) (string, error) {
	defer e.Step("import")()
	var cfg rootfs.ContainerDefaults
	if err := ApplyChanges(&cfg, o.Changes); err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	ref := ""
	if o.Ref != "" {
		parsed, err := rootfs.ParseRef(o.Ref)
		if err != nil {
			return "", lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
		if _, ok := parsed.(name.Tag); !ok {
			return "", lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("cannot import as a digest %q: give REPOSITORY[:TAG]", o.Ref))
		}
		ref = rootfs.FamiliarRef(parsed)
	}
	id, err := e.Images.Import(ctx, r, cfg, o.Message, ref)
	if err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("import image: %w", err))
	}
	e.Emit(events.Image(id, ref, "import"))
	return id, nil
}
