package rootfs

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func xzOf(t *testing.T, data string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz is not installed: apt-get install xz-utils")
	}
	cmd := exec.Command("xz", append([]string{"-c"}, args...)...)
	cmd.Stdin = strings.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xz %v: %v", args, err)
	}
	return out
}

func readXZ(in []byte) ([]byte, error) {
	x, err := startXZ(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	defer x.close()
	return io.ReadAll(x)
}

func TestXZDecodesWhatXZWrites(t *testing.T) {
	data := strings.Repeat("a tar's worth of bytes\n", 1000)
	for _, args := range [][]string{{"-0"}, {"-6"}, {"-9e"}, {"-T2", "--block-size=4KiB"}} {
		got, err := readXZ(xzOf(t, data, args...))
		if err != nil || string(got) != data {
			t.Errorf("xz %v: %d bytes, %v", args, len(got), err)
		}
	}
	// concatenated streams are one stream of their contents, as xz -d reads them
	two := append(xzOf(t, "one\n"), xzOf(t, "two\n")...)
	if got, err := readXZ(two); err != nil || string(got) != "one\ntwo\n" {
		t.Errorf("two streams: %q, %v", got, err)
	}
}

// The review's bomb: a small valid stream, then streams whose headers ask
// for a 1 GiB dictionary each. Every block is held to the limit.
func TestXZRefusesAHugeDictionaryInAnyStream(t *testing.T) {
	huge := xzOf(t, "x", "--lzma2=dict=1GiB")
	for name, in := range map[string][]byte{
		"first":     huge,
		"after one": append(xzOf(t, "ok\n"), append(huge, huge...)...),
	} {
		_, err := readXZ(in)
		if err == nil || !strings.Contains(err.Error(), "needs more than 128MiB of memory") {
			t.Errorf("%s: %v, want the memory limit", name, err)
		}
	}
}

func TestXZTruncatedIsAnError(t *testing.T) {
	x := xzOf(t, strings.Repeat("data\n", 10000))
	_, err := readXZ(x[:len(x)/2])
	if err == nil || !strings.Contains(err.Error(), "decompress xz: ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("truncated: %v, want a one-line decompress error", err)
	}
}

func TestXZClosedEarlyLeavesNoProcess(t *testing.T) {
	x, err := startXZ(bytes.NewReader(xzOf(t, strings.Repeat("data\n", 100000))))
	if err != nil {
		t.Fatal(err)
	}
	x.Read(make([]byte, 10))
	x.close()
	if x.cmd.ProcessState == nil {
		t.Fatal("xz was not waited for")
	}
}

// stalled gives its data, then blocks as a stuck `import -` pipe does.
type stalled struct {
	data  []byte
	block chan struct{}
}

func (s *stalled) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		<-s.block
		return 0, io.EOF
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

// The review's hang: xz has failed, but its source stalls; the failure
// is still reported at once, and close returns.
func TestXZFailureIsReportedThoughItsSourceStalls(t *testing.T) {
	src := &stalled{data: append(xzOf(t, "x", "--lzma2=dict=1GiB"), make([]byte, 16<<10)...), block: make(chan struct{})}
	defer close(src.block)
	x, err := startXZ(src)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(x)
		x.close()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "needs more than 128MiB") {
			t.Fatalf("got %v, want the memory limit", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a failed xz hangs on its stalled source")
	}
}

func TestXZIgnoresTheCallersXZOptAndLocale(t *testing.T) {
	t.Setenv("XZ_OPT", "--single-stream")
	t.Setenv("LANG", "de_DE.UTF-8")
	two := append(xzOf(t, "one\n"), xzOf(t, "two\n")...)
	if got, err := readXZ(two); err != nil || string(got) != "one\ntwo\n" {
		t.Fatalf("two streams with XZ_OPT=--single-stream: %q, %v", got, err)
	}
	x := xzOf(t, strings.Repeat("data\n", 10000))
	if _, err := readXZ(x[:len(x)/2]); err == nil || !strings.HasPrefix(err.Error(), "decompress xz: Unexpected end of input") {
		t.Fatalf("truncated: %v", err)
	}
}
