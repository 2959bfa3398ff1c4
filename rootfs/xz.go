package rootfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// xzMemLimit bounds the memory an imported xz tar may make the decoder
// take (its dictionaries, block by block and stream by stream). xz -9
// needs 65 MiB to decompress; twice that leaves room for tuned archives.
const xzMemLimit = "128MiB"

// xzReader is the plain stream of an xz one, decoded by the xz command
// as docker's import does (moby's archive package runs `xz -d -c -q`).
// The command is what enforces a memory limit on every block of every
// stream: Go's xz packages allocate whatever each block header names,
// up to 4 GiB from a few bytes of input, and take a configured
// dictionary cap as a minimum.
type xzReader struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	feed   *os.File // the write end of xz's stdin, fed by feedXZ
	stderr bytes.Buffer
	done   bool
}

func startXZ(in io.Reader) (*xzReader, error) {
	path, err := exec.LookPath("xz")
	if err != nil {
		return nil, errors.New("an xz tar needs the xz command: install xz-utils, or import the tar uncompressed or gzipped")
	}
	x := &xzReader{cmd: exec.Command(path, "-d", "-c", "-q", "--memlimit-decompress="+xzMemLimit)}
	x.cmd.Args[0] = "xz" // its messages start "xz: ", not with the path
	// C messages (matched below) and no XZ_OPT/XZ_DEFAULTS of the caller's
	// (--single-stream would drop streams, --ignore-check the checks).
	x.cmd.Env = []string{"LC_ALL=C"}
	x.cmd.Stderr = &x.stderr
	// xz's stdin is a pipe of ours, fed by a goroutine Wait does not wait
	// for: exec's own copier would hold Wait (and the error xz printed)
	// until a stalled `import -` source wrote again.
	stdin, feed, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	x.cmd.Stdin, x.feed = stdin, feed
	if x.out, err = x.cmd.StdoutPipe(); err != nil {
		stdin.Close()
		feed.Close()
		return nil, err
	}
	err = x.cmd.Start()
	stdin.Close() // xz holds it now
	if err != nil {
		feed.Close()
		return nil, fmt.Errorf("start xz: %w", err)
	}
	go feedXZ(feed, in)
	return x, nil
}

// feedXZ copies in to xz's stdin; it ends at in's end, or at EPIPE once
// xz is gone (closing feed makes the next write fail).
func feedXZ(feed *os.File, in io.Reader) {
	io.Copy(feed, in)
	feed.Close()
}

// Read passes the plain bytes on; at their end it reports how xz ended,
// so a truncated or refused stream is an error, not a short tar.
func (x *xzReader) Read(p []byte) (int, error) {
	n, err := x.out.Read(p)
	if err == io.EOF && !x.done {
		x.done = true
		if werr := x.cmd.Wait(); werr != nil {
			return n, x.failure(werr)
		}
	}
	return n, err
}

// failure is xz's own reason, in one line.
func (x *xzReader) failure(err error) error {
	msg := strings.TrimSpace(x.stderr.String())
	if strings.Contains(msg, "Memory usage limit reached") {
		return fmt.Errorf("the xz tar needs more than %s of memory to decompress: recompress it with xz -9 or less", xzMemLimit)
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "xz: "), "(stdin): ")
	if msg == "" {
		return fmt.Errorf("decompress xz: %w", err)
	}
	return fmt.Errorf("decompress xz: %s", msg)
}

// close ends an xz that was not read to its end (an import that failed).
func (x *xzReader) close() {
	if !x.done {
		x.done = true
		x.cmd.Process.Kill()
		x.out.Close()
		x.cmd.Wait()
	}
	x.feed.Close() // a feeder parked on a stalled source fails at its next write
}
