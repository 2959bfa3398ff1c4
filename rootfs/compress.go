package rootfs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// Compression is how a layer blob is compressed.
type Compression int

// The compressions a layer blob can have.
const (
	Uncompressed Compression = iota
	Gzip
	Zstd
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Media types of layer blobs, by compression, for blobs whose source did
// not name one (docker-archive layers).
var dockerLayerTypes = map[Compression]string{
	Uncompressed: "application/vnd.docker.image.rootfs.diff.tar",
	Gzip:         "application/vnd.docker.image.rootfs.diff.tar.gzip",
	Zstd:         "application/vnd.oci.image.layer.v1.tar+zstd",
}

// Decompress returns a reader of r's uncompressed bytes, detecting gzip and
// zstd by their magic numbers; anything else is read as a plain tar.
func Decompress(r io.Reader) (io.ReadCloser, Compression, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, Gzip, fmt.Errorf("open gzip layer: %w", err)
		}
		return zr, Gzip, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, Zstd, fmt.Errorf("open zstd layer: %w", err)
		}
		return zr.IOReadCloser(), Zstd, nil
	}
	return io.NopCloser(br), Uncompressed, nil
}
