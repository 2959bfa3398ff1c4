package attach

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// A client may fall this far behind, in bytes and in frames (a frame per
// write of the container, often one line), before it is dropped rather
// than let slow the container or its log. The byte bound is the memory
// one client can cost the monitor.
const (
	clientQueueBytes  = 1 << 20
	clientQueueFrames = 4096
)

// writeTimeout ends a client that accepts no output for this long.
const writeTimeout = 10 * time.Second

// Listen binds container id's attach socket and returns it as a file, to
// be handed over across the monitor's exec (Serve takes it).
func Listen(runroot, id string) (*os.File, error) {
	p := SocketPath(runroot, id)
	os.Remove(p) // a crashed monitor's
	var l *net.UnixListener
	err := withShortPath(p, func(name string) error {
		var err error
		l, err = net.ListenUnix("unix", &net.UnixAddr{Name: name, Net: "unix"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listen for attach clients on %q: %w", p, err)
	}
	os.Chmod(p, 0o600)
	l.SetUnlinkOnClose(false) // the file lives on in the copy
	f, err := l.File()
	l.Close()
	if err != nil {
		os.Remove(p)
		return nil, fmt.Errorf("listen for attach clients on %q: %w", p, err)
	}
	return f, nil
}

// maxSunPath is what fits in sockaddr_un's sun_path with its NUL.
const maxSunPath = 107

// withShortPath calls fn with a name for socket path p that fits a
// socket address: p itself, or /proc/self/fd/N/BASE through an O_PATH
// descriptor of p's directory, held while fn runs.
func withShortPath(p string, fn func(string) error) error {
	if len(p) <= maxSunPath {
		return fn(p)
	}
	dir, err := unix.Open(filepath.Dir(p), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open the directory of socket %q: %w", p, err)
	}
	defer unix.Close(dir)
	return fn("/proc/self/fd/" + strconv.Itoa(dir) + "/" + filepath.Base(p))
}

// Dial connects to container id's attach socket.
func Dial(runroot, id string) (*net.UnixConn, error) {
	var conn *net.UnixConn
	err := withShortPath(SocketPath(runroot, id), func(name string) error {
		var err error
		conn, err = net.DialUnix("unix", nil, &net.UnixAddr{Name: name, Net: "unix"})
		return err
	})
	return conn, err
}

// Server fans the container's output out to the attached clients and
// passes their input on.
type Server struct {
	path  string
	ln    net.Listener
	stdin *os.File // the container's stdin pipe or pty master; nil without -i
	pty   *os.File // the pty master, for resizes; nil without -t
	log   Logger

	mu      sync.Mutex
	clients map[*client]struct{}
	first   chan struct{} // closed when the first client is registered
	once    sync.Once
	exited  bool
	code    int
	writers sync.WaitGroup
}

type client struct {
	conn   *net.UnixConn
	out    chan []byte
	queued atomic.Int64 // bytes in out
	once   sync.Once
}

// push queues a frame unless the client is over its budget.
func (c *client) push(frame []byte) bool {
	if len(c.out) >= clientQueueFrames || c.queued.Load()+int64(len(frame)) > clientQueueBytes {
		return false
	}
	select {
	case c.out <- frame:
		c.queued.Add(int64(len(frame)))
		return true
	default:
		return false
	}
}

func (c *client) close() { c.once.Do(func() { c.conn.Close() }) }

// Logger is what the server logs to (a *slog.Logger is one): an
// interface, so the small waiter links no log/slog.
type Logger interface {
	Warn(msg string, args ...any)
}

// Serve accepts clients on ln (Listen's file, which it takes over).
func Serve(ln *os.File, path string, stdin, pty *os.File, log Logger) (*Server, error) {
	l, err := net.FileListener(ln)
	ln.Close()
	if err != nil {
		return nil, fmt.Errorf("serve attach clients: %w", err)
	}
	s := &Server{path: path, ln: l, stdin: stdin, pty: pty, log: log, clients: map[*client]struct{}{}, first: make(chan struct{})}
	go s.accept()
	return s, nil
}

func (s *Server) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed by Exit
		}
		c := &client{conn: conn.(*net.UnixConn), out: make(chan []byte, clientQueueFrames+1)} // +1: room for Exit
		s.mu.Lock()
		if s.exited { // Exit may be waiting on writers: this one is not counted
			code := s.code
			s.mu.Unlock()
			go func() {
				c.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
				c.conn.Write(Encode(Exit, []byte(strconv.Itoa(code))))
				c.close()
			}()
			continue
		}
		s.clients[c] = struct{}{}
		s.writers.Add(1)
		s.once.Do(func() { close(s.first) })
		s.mu.Unlock()
		go s.write(c)
		go s.read(c)
	}
}

// AwaitClient waits until a client is registered, or at most d: a
// foreground run's CLI attaches right after the start, and the output
// must wait for it (broadcast drops what no client is there to get).
// It reports whether one came.
func (s *Server) AwaitClient(d time.Duration) bool {
	select {
	case <-s.first:
		return true
	case <-time.After(d):
		return false
	}
}

// write sends a client its queue, until the queue is closed or the
// client stops taking it.
func (s *Server) write(c *client) {
	defer s.writers.Done()
	defer c.close()
	for frame := range c.out {
		c.queued.Add(-int64(len(frame)))
		c.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := c.conn.Write(frame); err != nil {
			s.drop(c)
			for range c.out { // let Exit's close end the loop
			}
			return
		}
	}
}

// read passes a client's stdin and resizes on, until it hangs up.
func (s *Server) read(c *client) {
	buf := make([]byte, 4096)
	for {
		kind, p, err := ReadFrame(c.conn, buf)
		if err != nil {
			return
		}
		switch kind {
		case Stdin:
			if s.stdin != nil {
				s.stdin.Write(p) // blocks this client only
			}
		case Resize:
			if rows, cols, ok := DecodeSize(p); ok && s.pty != nil {
				unix.IoctlSetWinsize(int(s.pty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
			}
		}
	}
}

// drop forgets a client; its queue is closed so its writer ends.
func (s *Server) drop(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c]; ok {
		delete(s.clients, c)
		close(c.out)
	}
	c.close()
}

// Writer is the io.Writer of one output stream: it never blocks and
// never fails, so a tee through it cannot hold up the log.
func (s *Server) Writer(kind byte) io.Writer { return streamWriter{s, kind} }

type streamWriter struct {
	s    *Server
	kind byte
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.s.broadcast(w.kind, p)
	return len(p), nil
}

func (s *Server) broadcast(kind byte, p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) == 0 {
		return
	}
	for len(p) > 0 {
		n := min(len(p), MaxPayload)
		frame := Encode(kind, p[:n])
		for c := range s.clients {
			if !c.push(frame) {
				s.log.Warn("attach client too slow: dropped", "socket", s.path)
				delete(s.clients, c)
				close(c.out)
				c.close()
			}
		}
		p = p[n:]
	}
}

// Exit tells every client the container's exit code, stops listening,
// removes the socket and waits (at most a second) for the clients to
// get it.
func (s *Server) Exit(code int) {
	s.mu.Lock()
	s.exited, s.code = true, code
	frame := Encode(Exit, []byte(strconv.Itoa(code)))
	for c := range s.clients {
		select {
		case c.out <- frame: // the frame count's +1 keeps room for it
		default:
			c.close()
		}
		close(c.out)
		delete(s.clients, c)
	}
	s.mu.Unlock()
	s.ln.Close()
	os.Remove(s.path)
	done := make(chan struct{})
	go func() { s.writers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

// ParseExit reads an Exit payload.
func ParseExit(p []byte) (int, error) {
	n, err := strconv.Atoi(string(p))
	if err != nil {
		return 0, errors.New("read attach exit frame: not a number")
	}
	return n, nil
}
