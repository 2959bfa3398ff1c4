package rootfs

import (
	"path"
	"sort"
	"strings"
)

// ChangeKind is docker's letter for a change: A added, C changed, D deleted.
type ChangeKind byte

// The kinds of change, as docker diff prints them.
const (
	ChangeAdd    ChangeKind = 'A'
	ChangeModify ChangeKind = 'C'
	ChangeDelete ChangeKind = 'D'
)

// Change is one line of docker diff.
type Change struct {
	Path string
	Kind ChangeKind
}

func (c Change) String() string { return string(c.Kind) + " " + c.Path }

// FinishChanges is what diff prints from a driver's changes: those at and
// below the engine's paths (its name files, the mount points) left out,
// with the added directories made only to hold them; every parent of a
// change listed as changed (docker does, so permissions are kept); sorted
// by path.
func FinishChanges(raw []Change, engine []string) []Change {
	kept := pruneChanges(raw, engine, 0)
	byPath := map[string]ChangeKind{}
	for _, c := range kept {
		byPath[c.Path] = c.Kind
	}
	for _, c := range kept {
		for q := path.Dir(c.Path); q != "/" && q != "."; q = path.Dir(q) {
			if _, ok := byPath[q]; !ok {
				byPath[q] = ChangeModify
			}
		}
	}
	out := make([]Change, 0, len(byPath))
	for p, k := range byPath {
		out = append(out, Change{Path: p, Kind: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// pruneChanges drops the changes at and below the given paths (of kind
// only, or any kind when only is 0), and then the added directories that
// were there only to hold them.
func pruneChanges(raw []Change, paths []string, only ChangeKind) []Change {
	drop := func(p string) bool {
		for _, x := range paths {
			if p == x || strings.HasPrefix(p, x+"/") {
				return true
			}
		}
		return false
	}
	kept := map[string]ChangeKind{}
	var order []string
	for _, c := range raw {
		if (only == 0 || c.Kind == only) && drop(c.Path) {
			continue
		}
		kept[c.Path] = c.Kind
		order = append(order, c.Path)
	}
	hasBelow := func(dir string) bool {
		for p := range kept {
			if strings.HasPrefix(p, dir+"/") {
				return true
			}
		}
		return false
	}
	for _, x := range paths {
		for q := path.Dir(x); q != "/" && q != "."; q = path.Dir(q) {
			if kept[q] == ChangeAdd && !hasBelow(q) {
				delete(kept, q)
			}
		}
	}
	out := make([]Change, 0, len(kept))
	for _, p := range order {
		if k, ok := kept[p]; ok {
			out = append(out, Change{Path: p, Kind: k})
			delete(kept, p)
		}
	}
	return out
}
