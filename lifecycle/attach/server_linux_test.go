package attach

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// A foreground start's output waits for its client: AwaitClient returns
// once one is registered, and what is written after it reaches that
// client; without one it gives up after its bound.
func TestAwaitClient(t *testing.T) {
	dir := t.TempDir()
	id := "0123456789abcdef0123456789"
	ln, err := Listen(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Serve(ln, SocketPath(dir, id), nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if s.AwaitClient(50 * time.Millisecond) {
		t.Fatal("AwaitClient: a client without one")
	}
	conn, err := Dial(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if !s.AwaitClient(5 * time.Second) {
		t.Fatal("AwaitClient: the client was not seen")
	}
	s.Writer(Stdout).Write([]byte("first"))
	go s.Exit(3)
	kind, p, err := ReadFrame(conn, nil)
	if err != nil || kind != Stdout || string(p) != "first" {
		t.Fatalf("first frame %d %q %v, want the output", kind, p, err)
	}
	if kind, p, err = ReadFrame(conn, nil); err != nil || kind != Exit || string(p) != "3" {
		t.Fatalf("second frame %d %q %v, want exit 3", kind, p, err)
	}
}
