package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

// storeImage is a stored image as go-containerregistry sees it: the config
// as stored and the layer blobs as they arrived. Uncompressed blobs (from
// docker-archive loads) are gzipped on the way out.
type storeImage struct {
	raw       []byte
	manifest  []byte
	mediaType types.MediaType
	layers    map[v1.Hash]v1.Layer
	metas     []rootfs.LayerMeta
}

func newStoreImage(store *rootfs.Store, img *rootfs.Image) (v1.Image, error) {
	raw, err := store.RawConfig(img.ID)
	if err != nil {
		return nil, err
	}
	metas, err := store.Layers(img)
	if err != nil {
		return nil, err
	}
	si := &storeImage{raw: raw, layers: map[v1.Hash]v1.Layer{}, metas: metas}
	oci := allOCI(metas)
	var descs []v1.Descriptor
	for i, m := range metas {
		l, err := storeLayer(store.LayerBlobPath(img.ChainIDs()[i]), m, oci)
		if err != nil {
			return nil, err
		}
		d, err := partial.Descriptor(l)
		if err != nil {
			return nil, err
		}
		si.layers[d.Digest] = l
		descs = append(descs, *d)
	}
	if err := si.buildManifest(oci, descs); err != nil {
		return nil, err
	}
	return partial.CompressedToImage(si)
}

// allOCI reports whether the image came with OCI media types (then its
// manifest stays OCI; otherwise it is docker's schema 2).
func allOCI(metas []rootfs.LayerMeta) bool {
	for _, m := range metas {
		if !strings.HasPrefix(m.MediaType, "application/vnd.oci.") {
			return false
		}
	}
	return len(metas) > 0
}

func (si *storeImage) buildManifest(oci bool, layers []v1.Descriptor) error {
	cfgType := types.DockerConfigJSON
	si.mediaType = types.DockerManifestSchema2
	if oci {
		si.mediaType, cfgType = types.OCIManifestSchema1, types.OCIConfigJSON
	}
	cfgDigest, cfgSize, err := v1.SHA256(bytes.NewReader(si.raw))
	if err != nil {
		return err
	}
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: si.mediaType, Layers: layers,
		Config: v1.Descriptor{MediaType: cfgType, Size: cfgSize, Digest: cfgDigest},
	}
	si.manifest, err = json.Marshal(m)
	return err
}

func (si *storeImage) RawConfigFile() ([]byte, error)      { return si.raw, nil }
func (si *storeImage) MediaType() (types.MediaType, error) { return si.mediaType, nil }
func (si *storeImage) RawManifest() ([]byte, error)        { return si.manifest, nil }
func (si *storeImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := si.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("image has no layer %s", h)
}

// storeLayer is a stored blob as a v1.Layer.
func storeLayer(path string, m rootfs.LayerMeta, oci bool) (v1.Layer, error) {
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	if isCompressed(m.MediaType) {
		digest, err := v1.NewHash(m.Digest)
		if err != nil {
			return nil, err
		}
		return partial.CompressedToLayer(&blobLayer{open: open, digest: digest, size: m.BlobSize, mediaType: types.MediaType(m.MediaType)})
	}
	mt := types.DockerLayer
	if oci {
		mt = types.OCILayer
	}
	return tarball.LayerFromOpener(open, tarball.WithMediaType(mt))
}

func isCompressed(mediaType string) bool {
	return strings.HasSuffix(mediaType, "gzip") || strings.HasSuffix(mediaType, "zstd")
}

// blobLayer is partial.CompressedLayer over a stored blob.
type blobLayer struct {
	open      func() (io.ReadCloser, error)
	digest    v1.Hash
	size      int64
	mediaType types.MediaType
}

func (b *blobLayer) Digest() (v1.Hash, error)            { return b.digest, nil }
func (b *blobLayer) Compressed() (io.ReadCloser, error)  { return b.open() }
func (b *blobLayer) Size() (int64, error)                { return b.size, nil }
func (b *blobLayer) MediaType() (types.MediaType, error) { return b.mediaType, nil }
