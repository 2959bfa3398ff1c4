package rootfs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

// ImageConfig is the part of an OCI/docker image config that ctr-lite uses.
type ImageConfig struct {
	Architecture string            `json:"architecture"`
	OS           string            `json:"os"`
	Created      time.Time         `json:"created"`
	Author       string            `json:"author,omitempty"`
	Comment      string            `json:"comment,omitempty"`
	Config       ContainerDefaults `json:"config"`
	RootFS       struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
	// History is one entry per step that made the image, oldest first;
	// the entries without EmptyLayer match RootFS.DiffIDs in order.
	History []History `json:"history,omitempty"`
}

// FullHistory is the config's history with an entry for every layer: an
// image whose config lists fewer steps with a layer than it has layers
// (some tools write no history at all) gets entries made at the image's
// creation for its bottom layers, so each layer has its step.
func (c *ImageConfig) FullHistory() []History {
	missing := len(c.RootFS.DiffIDs)
	for _, h := range c.History {
		if !h.EmptyLayer {
			missing--
		}
	}
	if missing <= 0 {
		return c.History
	}
	created := c.Created
	out := make([]History, 0, missing+len(c.History))
	for range missing {
		out = append(out, History{Created: &created})
	}
	return append(out, c.History...)
}

// History is one entry of an image config's "history" (OCI image spec,
// docker's shape).
type History struct {
	Created    *time.Time `json:"created,omitempty"`
	CreatedBy  string     `json:"created_by,omitempty"`
	Author     string     `json:"author,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	EmptyLayer bool       `json:"empty_layer,omitempty"`
}

// ContainerDefaults is the image's "config" object: what a container gets
// unless the user says otherwise.
type ContainerDefaults struct {
	User         string              `json:"User,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	StopSignal   string              `json:"StopSignal,omitempty"`
	// Healthcheck is the image's HEALTHCHECK (docker's field; the OCI
	// image config carries it too).
	Healthcheck *state.HealthConfig `json:"Healthcheck,omitempty"`
	// OnBuild are ONBUILD instructions, run by a build FROM this image.
	OnBuild []string `json:"OnBuild,omitempty"`
}

// Image is a stored image: its ID (the config's digest), config, tags and
// the manifest digests it was pulled by (repo@sha256:...).
type Image struct {
	ID          string
	Config      ImageConfig
	RepoTags    []string
	RepoDigests []string
	Size        int64
}

func (img *Image) addRef(ref string) {
	if strings.Contains(ref, "@") {
		img.RepoDigests = append(img.RepoDigests, ref)
	} else {
		img.RepoTags = append(img.RepoTags, ref)
	}
}

// ChainIDs returns the chain ID of each layer, bottom first (OCI image spec).
func (img *Image) ChainIDs() []string {
	return chainIDs(img.Config.RootFS.DiffIDs)
}

// TopChainID is the chain ID of the top layer, "" for an empty image.
func (img *Image) TopChainID() string {
	ids := img.ChainIDs()
	if len(ids) == 0 {
		return ""
	}
	return ids[len(ids)-1]
}

func chainIDs(diffIDs []string) []string {
	out := make([]string, len(diffIDs))
	for i, d := range diffIDs {
		if i == 0 {
			out[i] = d
			continue
		}
		sum := sha256.Sum256([]byte(out[i-1] + " " + d))
		out[i] = "sha256:" + hex.EncodeToString(sum[:])
	}
	return out
}

// digestHex returns the hex part of a "sha256:<64 hex>" digest, refusing
// anything else so a digest can be used as a file name safely.
func digestHex(d string) (string, error) {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(h) != 64 {
		return "", fmt.Errorf("invalid digest %q: want sha256:<64 hex digits>", d)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("invalid digest %q: want sha256:<64 hex digits>", d)
	}
	return h, nil
}
