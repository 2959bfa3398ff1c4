package journal

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// parse is journald's reading of a datagram, written from the protocol's
// description, independently of AppendField.
func parse(t *testing.T, b []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			t.Fatalf("field without newline: %q", b)
		}
		line := b[:nl]
		if eq := bytes.IndexByte(line, '='); eq >= 0 {
			m[string(line[:eq])] = string(line[eq+1:])
			b = b[nl+1:]
			continue
		}
		b = b[nl+1:]
		if len(b) < 8 {
			t.Fatalf("short length for %q", line)
		}
		n := binary.LittleEndian.Uint64(b)
		b = b[8:]
		if uint64(len(b)) < n+1 || b[n] != '\n' {
			t.Fatalf("bad binary value for %q", line)
		}
		m[string(line)] = string(b[:n])
		b = b[n+1:]
	}
	return m
}

func TestSendThroughSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "socket")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("CTR_LITE_JOURNAL_SOCKET", path)
	j, err := Dial(SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	want := map[string]string{
		"MESSAGE":  "two\nlines, = and \x00 inside",
		"PRIORITY": "6",
		"EMPTY":    "",
		"EQ":       "a=b=c",
		"NL":       "\n",
	}
	var b []byte
	for _, k := range []string{"MESSAGE", "PRIORITY", "EMPTY", "EQ", "NL"} {
		b = AppendField(b, k, want[k])
	}
	if err := j.Send(b); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<16)
	n, err := l.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := parse(t, buf[:n]); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !bytes.HasPrefix(b, []byte("MESSAGE\n")) || !bytes.Contains(b, []byte("PRIORITY=6\n")) {
		t.Fatalf("encoding: %q", b)
	}
}

func TestSendRedialsAfterJournaldRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "socket")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	l.Close()
	os.Remove(path) // journald makes its socket afresh
	l2, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if err := j.Send(AppendField(nil, "MESSAGE", "again")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	n, _ := l2.Read(buf)
	if string(buf[:n]) != "MESSAGE=again\n" {
		t.Fatalf("got %q", buf[:n])
	}
}

func TestDialFailsWithoutJournald(t *testing.T) {
	if _, err := Dial(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("dial of a missing socket succeeded")
	}
}
