package rootfs

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func xzWith(t *testing.T, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz is not installed: apt-get install xz-utils")
	}
	cmd := exec.Command("xz", append([]string{"-c"}, args...)...)
	cmd.Stdin = strings.NewReader(strings.Repeat("a tar's worth of bytes\n", 100))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xz %v: %v", args, err)
	}
	return out
}

func TestCheckXZDictRefusesAHugeDictionaryFromATinyFile(t *testing.T) {
	big := xzWith(t, "--lzma2=dict=1GiB")
	if len(big) > 300 {
		t.Fatalf("the test archive is %d bytes, meant to be tiny", len(big))
	}
	err := checkXZDict(big)
	if err == nil || !strings.Contains(err.Error(), "1024 MiB is over the limit") {
		t.Fatalf("a 1 GiB dictionary: %v, want refused", err)
	}
}

func TestCheckXZDictTakesWhatXZWrites(t *testing.T) {
	for _, args := range [][]string{{"-0"}, {"-6"}, {"-9"}, {"-9e"}, {"-T2", "-6"}, {"--check=sha256", "-3"}} {
		if err := checkXZDict(xzWith(t, args...)); err != nil {
			t.Errorf("xz %v: %v", args, err)
		}
	}
}

func TestLZMA2DictSizeDecodes(t *testing.T) {
	for code, want := range map[byte]int64{0: 4 << 10, 1: 6 << 10, 18: 2 << 20, 19: 3 << 20, 22: 8 << 20, 26: 32 << 20, 28: 64 << 20, 40: 1<<32 - 1} {
		if got, err := lzma2DictSize(code); err != nil || got != want {
			t.Errorf("code %d: %d %v, want %d", code, got, err, want)
		}
	}
	if _, err := lzma2DictSize(41); err == nil {
		t.Error("code 41 is invalid")
	}
}

func TestCheckXZDictSurvivesCutHeaders(t *testing.T) {
	x := xzWith(t, "-6")
	for n := 0; n < 40 && n < len(x); n++ {
		checkXZDict(bytes.Clone(x[:n])) // no panic on any prefix
	}
}
