package rootfs

import (
	"errors"
	"fmt"
)

// maxXZDict is the largest LZMA2 dictionary an imported xz tar may ask
// for. The xz package allocates whatever a block header names (up to
// 4 GiB from a few bytes of input) and takes a configured DictCap as a
// minimum, not a limit, so the header is read here first. xz -9 uses
// 64 MiB; twice that leaves room for hand-tuned archives.
const maxXZDict = 128 << 20

// lzma2FilterID is the xz filter ID of LZMA2, the one filter whose
// properties name a dictionary size.
const lzma2FilterID = 0x21

// checkXZDict reads the stream header and the first block header of the
// xz data in head and refuses a dictionary over maxXZDict. Later blocks
// are not visible without reading the stream; their dictionaries reserve
// address space that only the guarded output fills (the bomb guard bounds
// it), so the first block, which every single-threaded xz writes alone,
// is where a huge reservation from a tiny file comes from.
func checkXZDict(head []byte) error {
	const streamHeader = 12
	if len(head) < streamHeader+1 {
		return nil // too short to hold a block: the decoder reports it
	}
	b := head[streamHeader:]
	if b[0] == 0 {
		return nil // the index: an empty stream
	}
	size := (int(b[0]) + 1) * 4
	if len(b) < size {
		return errors.New("the first xz block header is cut short")
	}
	dict, err := lzma2Dict(b[1:size])
	if err != nil {
		return err
	}
	if dict > maxXZDict {
		return fmt.Errorf("the xz dictionary of %d MiB is over the limit of %d MiB: recompress with xz -9 or less", dict>>20, maxXZDict>>20)
	}
	return nil
}

// lzma2Dict returns the dictionary size the LZMA2 filter in a block
// header (after its size byte) names, 0 when it has none.
func lzma2Dict(h []byte) (int64, error) {
	flags, p := h[0], h[1:]
	filters := int(flags&0x03) + 1
	var err error
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed size
		if present {
			if _, p, err = uvarint(p); err != nil {
				return 0, err
			}
		}
	}
	for i := 0; i < filters; i++ {
		var id, n uint64
		if id, p, err = uvarint(p); err != nil {
			return 0, err
		}
		if n, p, err = uvarint(p); err != nil {
			return 0, err
		}
		if uint64(len(p)) < n {
			return 0, errors.New("an xz filter's properties are cut short")
		}
		if id == lzma2FilterID && n == 1 {
			return lzma2DictSize(p[0])
		}
		p = p[n:]
	}
	return 0, nil
}

// lzma2DictSize decodes LZMA2's one-byte dictionary size: 2 or 3 times a
// power of two, from 4 KiB; 40 means 4 GiB - 1.
func lzma2DictSize(c byte) (int64, error) {
	switch {
	case c > 40:
		return 0, fmt.Errorf("the xz dictionary size code %d is invalid", c)
	case c == 40:
		return 1<<32 - 1, nil
	}
	return int64(2|c&1) << (c/2 + 11), nil
}

// uvarint reads xz's multibyte integer (at most 9 bytes).
func uvarint(p []byte) (uint64, []byte, error) {
	var v uint64
	for i := 0; i < len(p) && i < 9; i++ {
		v |= uint64(p[i]&0x7f) << (7 * i)
		if p[i]&0x80 == 0 {
			return v, p[i+1:], nil
		}
	}
	return 0, nil, errors.New("an xz block header integer is cut short")
}
