package lifecycle

import (
	"context"
)

// imageUsers reports, for rmi, whether any container uses an image ID.
func (e *Engine) imageUsers() (func(string) bool, error) {
	list, err := e.Containers.List()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range list {
		used[c.Image] = true
	}
	return func(id string) bool { return used[id] }, nil
}

// RemoveImage is rmi: refused while a container uses the image unless force.
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) ([]string, error) {
	inUse, err := e.imageUsers()
	if err != nil {
		return nil, withCode(ExitEngine, err)
	}
	out, err := e.Images.RemoveImage(ctx, ref, force, inUse)
	return out, withCode(ExitEngine, err)
}

// LoadImages is load: it imports every image in an archive or layout.
func (e *Engine) LoadImages(ctx context.Context, path string) ([]string, error) {
	defer e.step("load " + path)()
	names, err := e.Images.Load(ctx, path)
	return names, withCode(ExitEngine, err)
}
