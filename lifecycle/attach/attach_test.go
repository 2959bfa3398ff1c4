package attach

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

func TestParseDetachKeys(t *testing.T) {
	for in, want := range map[string][]byte{
		"ctrl-p,ctrl-q": {16, 17},
		"a,b":           {'a', 'b'},
		"ctrl-@,ctrl-[": {0, 27},
		"ctrl-_":        {31},
	} {
		got, err := ParseDetachKeys(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseDetachKeys(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"ctrl-1", "ctrl-", "foo", "", "ctrl-A"} {
		if _, err := ParseDetachKeys(bad); err == nil {
			t.Errorf("ParseDetachKeys(%q): no error", bad)
		}
	}
}

func TestEscapeReader(t *testing.T) {
	keys := []byte{16, 17}
	cases := []struct {
		in, out  string
		detached bool
	}{
		{"hello", "hello", false},
		{"ab\x10\x11cd", "ab", true},
		{"a\x10b", "a\x10b", false},    // a partial sequence passes on
		{"\x10\x10\x11", "\x10", true}, // the second ^P starts the sequence anew
	}
	for _, c := range cases {
		r := NewEscapeReader(strings.NewReader(c.in), keys)
		got, err := io.ReadAll(r)
		if string(got) != c.out || errors.Is(err, ErrDetached) != c.detached {
			t.Errorf("%q: read %q, %v; want %q detached=%v", c.in, got, err, c.out, c.detached)
		}
	}
}

func TestFrames(t *testing.T) {
	var b bytes.Buffer
	big := bytes.Repeat([]byte("x"), MaxPayload+10)
	WriteFrame(&b, Stdout, []byte("hi"))
	WriteFrame(&b, Stderr, big)
	WriteFrame(&b, Resize, EncodeSize(24, 80))
	var got []string
	for {
		kind, p, err := ReadFrame(&b, nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if kind == Resize {
			r, c, ok := DecodeSize(p)
			if !ok || r != 24 || c != 80 {
				t.Errorf("resize %d %d %v", r, c, ok)
			}
		}
		got = append(got, string([]byte{kind + '0'})+":"+itoa(len(p)))
	}
	want := "1:2 2:65536 2:10 5:4"
	if strings.Join(got, " ") != want {
		t.Errorf("frames %v, want %s", got, want)
	}
	if _, _, err := ReadFrame(bytes.NewReader([]byte{1, 0xff, 0, 0, 0}), nil); err == nil {
		t.Error("an oversized frame was read")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
