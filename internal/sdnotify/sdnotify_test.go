package sdnotify

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// listen is a stand-in for systemd's notify socket at addr.
func listen(t *testing.T, addr string) *net.UnixConn {
	t.Helper()
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func recv(t *testing.T, l *net.UnixConn) string {
	t.Helper()
	l.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := l.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestSendPathAndAbstract(t *testing.T) {
	for _, addr := range []string{filepath.Join(t.TempDir(), "notify"), "@ctr-lite-sdnotify-test-" + t.Name()} {
		l := listen(t, addr)
		if err := Send(addr, "MAINPID=1\nREADY=1"); err != nil {
			t.Fatal(err)
		}
		if got := recv(t, l); got != "MAINPID=1\nREADY=1" {
			t.Fatalf("%s: got %q", addr, got)
		}
	}
	if err := Send("", "READY=1"); err != nil {
		t.Fatal("no socket must be a no-op:", err)
	}
	if err := Send(filepath.Join(t.TempDir(), "none"), "READY=1"); err == nil {
		t.Fatal("a missing socket must be an error")
	}
}

func TestRelayDropsMainPID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 100)) // longer than a socket address
	os.Mkdir(dir, 0o700)
	up := listen(t, filepath.Join(t.TempDir(), "systemd"))
	f, err := Listen(filepath.Join(dir, "relay"))
	if err != nil {
		t.Fatal(err)
	}
	stop := Relay(f, up.LocalAddr().String())
	defer stop()
	send := func(msg string) { // through the directory, as Listen binds
		d, _ := os.Open(dir)
		defer d.Close()
		if err := Send(fmt.Sprintf("/proc/self/fd/%d/relay", d.Fd()), msg); err != nil {
			t.Fatal(err)
		}
	}
	send("MAINPID=1")
	send("BARRIER=1")
	send("MAINPID=1\nREADY=1\nSTATUS=up")
	if got := recv(t, up); got != "READY=1\nSTATUS=up" {
		t.Fatalf("got %q", got)
	}
}

func TestWithout(t *testing.T) {
	got := Without([]string{"A=1", "NOTIFY_SOCKET=/x", "NOTIFY_SOCKETX=2"})
	if len(got) != 2 || got[0] != "A=1" || got[1] != "NOTIFY_SOCKETX=2" {
		t.Fatal(got)
	}
}

func TestRelayedKeepsOnlyStateStatusAndWatchdog(t *testing.T) {
	in := "READY=1\nNOTIFYACCESS=all\nFDSTORE=1\nFDNAME=x\nSTATUS=serving\nMAINPID=1\nWATCHDOG=1\nBARRIER=1\nEXTEND_TIMEOUT_USEC=5000000\nbogus\nX_CUSTOM=1"
	if got := relayed(in); got != "READY=1\nSTATUS=serving\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=5000000" {
		t.Fatalf("relayed = %q", got)
	}
}

func TestBucketHoldsAFloodToItsRate(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBucket(relayBurst, relayRate, now)
	n := 0
	for i := 0; i < 1000; i++ { // a flood in one instant: the burst passes
		if b.take(now) {
			n++
		}
	}
	if n != relayBurst {
		t.Fatalf("a burst passed %d, want %d", n, relayBurst)
	}
	n = 0
	for i := 0; i < 10000; i++ { // ten seconds of a datagram a millisecond
		now = now.Add(time.Millisecond)
		if b.take(now) {
			n++
		}
	}
	if n < 10*relayRate-1 || n > 10*relayRate+1 {
		t.Fatalf("10 s passed %d, want about %d", n, 10*relayRate)
	}
}

func TestStateMergesLastValuePerKey(t *testing.T) {
	var s state
	s.merge("STATUS=a\nREADY=1")
	s.merge("STATUS=b")
	s.merge("")
	if got := s.String(); got != "STATUS=b\nREADY=1" {
		t.Fatalf("merged %q", got)
	}
}

// The review's case: a service that floods STATUS= still gets its one
// READY=1 through, and the last status too.
func TestRelayUnderAFloodLosesNoState(t *testing.T) {
	up, relay := startRelay(t)
	go func() {
		for i := 0; i < 300; i++ {
			Send(relay, fmt.Sprintf("STATUS=%d", i))
			if i == 150 {
				Send(relay, "READY=1")
			}
			Send(relay, "BARRIER=1") // nothing to relay: costs nothing
		}
		Send(relay, "STATUS=last")
	}()
	ready, last := false, false
	up.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for !(ready && last) {
		n, err := up.Read(buf)
		if err != nil {
			t.Fatalf("ready %v, last status %v: %v", ready, last, err)
		}
		msg := string(buf[:n])
		ready = ready || strings.Contains(msg, "READY=1")
		last = strings.Contains(msg, "STATUS=last")
	}
}

// Review 13b: state datagrams are never merged (systemd reads READY over
// RELOADING within one), and keep their order; a long merged STATUS does
// not take READY=1 past systemd's 4096 bytes.
func TestRelayKeepsStateDatagramsApartAndInOrder(t *testing.T) {
	up, relay := startRelay(t)
	want := []string{"READY=1", "RELOADING=1\nMONOTONIC_USEC=123", "WATCHDOG=trigger", "WATCHDOG=1"}
	go func() { // as a service does, while systemd reads
		for i := 0; i < relayBurst+5; i++ { // the bucket emptied
			Send(relay, "STATUS=x")
		}
		Send(relay, "STATUS="+strings.Repeat("s", 4089))
		for _, m := range want {
			Send(relay, m)
		}
	}()
	up.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 8192)
	var got []string
	for len(got) < len(want) {
		n, err := up.Read(buf)
		if err != nil {
			t.Fatalf("state datagrams so far %q: %v", got, err)
		}
		if n > maxDatagram {
			t.Fatalf("a %d-byte datagram: systemd ignores it", n)
		}
		if msg := string(buf[:n]); !strings.HasPrefix(msg, "STATUS=") {
			got = append(got, msg)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("state datagrams %q, want %q", got, want)
	}
}

// startRelay runs a relay to a listener standing for systemd; it returns
// the listener and the relay's socket path.
func startRelay(t *testing.T) (*net.UnixConn, string) {
	dir := t.TempDir()
	up := listen(t, filepath.Join(t.TempDir(), "systemd"))
	f, err := Listen(filepath.Join(dir, "relay"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(Relay(f, up.LocalAddr().String()))
	return up, filepath.Join(dir, "relay")
}
