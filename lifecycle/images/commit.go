package images

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/ctr-lite/ctr-lite/events"
	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/rootfs"
	"github.com/ctr-lite/ctr-lite/state"
)

// CommitOptions are docker commit's: the --change instructions, -m, -a,
// --pause, and the name to give the image ("" leaves it untagged).
type CommitOptions struct {
	Changes []string
	Message string
	Author  string
	Pause   bool
	Ref     string
}

// commitSkip are paths docker commit leaves out besides the engine's
// (lifecycle.EnginePaths): /dev/shm is the container's own tmpfs.
var commitSkip = []string{"/dev/shm"}

// Commit is docker commit: container ref's changes become a new layer on
// top of its image, with a config that starts from the container's own
// (its Cmd, Env, ...) and the --change instructions applied. The
// container's lock is held throughout (rm waits); a running container is
// frozen meanwhile unless o.Pause is false. It returns the image ID.
func (e *Engine) Commit(ctx context.Context, ref string, o CommitOptions) (string, error) {
	defer e.Step("commit")()
	tag, err := commitRef(o.Ref)
	if err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	found, err := e.Lookup(ref)
	if err != nil {
		return "", err
	}
	c, hc, l, err := e.LockAndLoad(ctx, found.ID)
	if err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	defer l.Unlock()
	cfg := defaultsOf(c.Config)
	if err := ApplyChanges(&cfg, o.Changes); err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, err)
	}
	img, err := e.Images.ImageByID(c.Image)
	if err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("image of container %q: %w", c.Name, err))
	}
	parent, err := e.Images.RawConfig(img.ID)
	if err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("image of container %q: %w", c.Name, err))
	}
	now := time.Now().UTC()
	spec := rootfs.CommitSpec{Container: c.ID, Image: img, Ref: tag,
		Skip: append(lifecycle.EnginePaths(hc), commitSkip...),
		Config: func(diffID string) ([]byte, error) {
			return commitConfig(parent, cfg, commitHistory(c, o, now, diffID == ""), diffID, now)
		}}
	var id string
	commit := func() (err error) {
		id, err = e.Images.Commit(ctx, spec)
		return err
	}
	if o.Pause {
		err = e.WithPaused(c, commit)
	} else {
		err = commit()
	}
	if err != nil {
		return "", lifecycle.WithCode(lifecycle.ExitEngine, fmt.Errorf("commit container %q: %w", c.Name, err))
	}
	e.Event(c, "commit")
	if tag != "" {
		e.Emit(events.Image(id, tag, "tag"))
	}
	return id, nil
}

// commitRef checks the image name commit was given: REPOSITORY[:TAG].
func commitRef(ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	parsed, err := rootfs.ParseRef(ref)
	if err != nil {
		return "", err
	}
	if _, ok := parsed.(name.Tag); !ok {
		return "", fmt.Errorf("cannot commit to a digest %q: give REPOSITORY[:TAG]", ref)
	}
	return rootfs.FamiliarRef(parsed), nil
}

// defaultsOf is a container's config as image defaults: what docker
// commit starts the new config from.
func defaultsOf(c state.Config) rootfs.ContainerDefaults {
	d := rootfs.ContainerDefaults{User: c.User, Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint,
		WorkingDir: c.WorkingDir, ExposedPorts: c.ExposedPorts, Volumes: c.Volumes,
		StopSignal: c.StopSignal, Healthcheck: c.Healthcheck}
	if len(c.Labels) > 0 {
		d.Labels = c.Labels
	}
	return d
}

// commitHistory is the history entry docker commit writes: created by the
// container's command, -m as the comment.
func commitHistory(c *state.Container, o CommitOptions, now time.Time, empty bool) rootfs.History {
	return rootfs.History{Created: &now, CreatedBy: strings.Join(c.Config.Cmd, " "), Author: o.Author,
		Comment: o.Message, EmptyLayer: empty}
}

// parentKept are the fields of the parent's config the new one keeps
// (docker's commit: the platform); the rest is written anew.
var parentKept = []string{"architecture", "os", "variant", "os.version", "os.features"}

// commitConfig is the new image's config: the parent's platform and
// history (its entries as stored, byte for byte), the new defaults, the
// layer appended ("" for none) and its history entry.
func commitConfig(parent []byte, cfg rootfs.ContainerDefaults, h rootfs.History, diffID string, now time.Time) ([]byte, error) {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(parent, &p); err != nil {
		return nil, fmt.Errorf("decode the image config: %w", err)
	}
	var prev struct {
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
		History []json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal(parent, &prev); err != nil {
		return nil, fmt.Errorf("decode the image config: %w", err)
	}
	history, err := parentHistory(parent, prev.History)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, k := range parentKept {
		if v, ok := p[k]; ok {
			out[k] = v
		}
	}
	diffIDs := append([]string{}, prev.RootFS.DiffIDs...)
	if diffID != "" {
		diffIDs = append(diffIDs, diffID)
	}
	out["created"], out["config"] = now, cfg
	out["rootfs"] = map[string]any{"type": "layers", "diff_ids": diffIDs}
	out["history"] = append(history, mustJSON(h))
	if h.Author != "" {
		out["author"] = h.Author
	}
	if h.Comment != "" {
		out["comment"] = h.Comment
	}
	return json.Marshal(out)
}

// parentHistory is the parent's history entries as stored, after the
// steps FullHistory adds for layers the parent lists none for: every
// layer of the new image then has its step.
func parentHistory(parent []byte, stored []json.RawMessage) ([]json.RawMessage, error) {
	cfg, err := rootfs.ParseConfig(parent)
	if err != nil {
		return nil, err
	}
	full := cfg.FullHistory()
	out := make([]json.RawMessage, 0, len(full))
	for _, h := range full[:len(full)-len(cfg.History)] {
		out = append(out, mustJSON(h))
	}
	return append(out, stored...), nil
}

func mustJSON(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // a History always marshals
	}
	return raw
}
