package images

import (
	"encoding/json"
	"time"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/rootfs"
)

// HistoryEntry is one step of an image's history, as docker's history
// lists it.
type HistoryEntry struct {
	// ID is the stored image this step ended, "<missing>" if none is:
	// the image itself for the last step, and for an earlier one an image
	// whose layers and history are exactly those up to it (the image
	// committed from, as docker shows a parent).
	ID        string
	Created   time.Time // zero: the entry has no time
	CreatedBy string
	Size      int64 // of the step's layer; 0 for an empty layer
	Comment   string
}

// Missing is the ID of a step no stored image ends (docker's word).
const Missing = "<missing>"

// ImageHistory is docker history: image ref's steps, newest first.
func (e *Engine) ImageHistory(ref string) ([]HistoryEntry, error) {
	img, err := e.Images.Lookup(ref)
	if err != nil {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	var sizes []int64
	for _, chain := range img.ChainIDs() {
		m, err := e.Images.Layer(chain)
		if err != nil {
			return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
		}
		sizes = append(sizes, m.Size)
	}
	all, err := e.Images.Images()
	if err != nil {
		return nil, lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	ends := map[string]string{}
	for _, other := range all {
		ends[stepKey(other.Config.RootFS.DiffIDs, other.Config.FullHistory())] = other.ID
	}
	return historyOf(img, sizes, func(diffIDs []string, h []rootfs.History) string {
		return ends[stepKey(diffIDs, h)]
	}), nil
}

// stepKey identifies the image made by these layers and history steps.
func stepKey(diffIDs []string, h []rootfs.History) string {
	raw, _ := json.Marshal(struct {
		D []string
		H []rootfs.History
	}{diffIDs, h})
	return string(raw)
}

// historyOf lists img's steps newest first, with their layers' sizes
// (bottom first) and the stored image (known) each one ends; a layer
// without its step gets one (ImageConfig.FullHistory).
func historyOf(img *rootfs.Image, sizes []int64, known func([]string, []rootfs.History) string) []HistoryEntry {
	h := img.Config.FullHistory()
	diffIDs := img.Config.RootFS.DiffIDs
	out := make([]HistoryEntry, 0, len(h))
	layer := 0
	for i, step := range h {
		e := HistoryEntry{ID: Missing, CreatedBy: step.CreatedBy, Comment: step.Comment}
		if step.Created != nil {
			e.Created = *step.Created
		}
		if !step.EmptyLayer && layer < len(sizes) {
			e.Size = sizes[layer]
			layer++
		}
		if layer <= len(diffIDs) {
			if id := known(diffIDs[:layer], h[:i+1]); id != "" {
				e.ID = id
			}
		}
		out = append(out, e)
	}
	if len(out) > 0 {
		out[len(out)-1].ID = img.ID
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
