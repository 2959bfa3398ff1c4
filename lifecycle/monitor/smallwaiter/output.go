//go:build linux

package main

import (
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ctr-lite/ctr-lite/internal/journal"
	"github.com/ctr-lite/ctr-lite/internal/jsonfile"
	"github.com/ctr-lite/ctr-lite/lifecycle/attach"
)

// sink is a log driver: json-file, journald or none.
type sink interface {
	Copy(stream string, r io.Reader) error
	Close() error
}

type discard struct{}

func (discard) Copy(_ string, r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (discard) Close() error                     { return nil }

// output copies the container's stdout and stderr to the sink and to the
// attach clients.
type output struct {
	sink sink
	srv  *attach.Server
	wg   sync.WaitGroup
	fs   []*os.File
}

func (w *waiter) startOutput(files map[string]*os.File) *output {
	o := &output{sink: w.openSink(files["log"])}
	var teeOut, teeErr io.Writer
	if ln := files["attach"]; ln != nil {
		srv, err := attach.Serve(ln, attach.SocketPath(w.m.RunRoot, w.m.ID), files["stdin"], nil, w.log)
		if err != nil {
			w.log.Warn("the container cannot be attached to", err)
		} else {
			o.srv = srv
			teeOut, teeErr = srv.Writer(attach.Stdout), srv.Writer(attach.Stderr)
		}
	}
	o.copy("stdout", files["stdout"], teeOut)
	o.copy("stderr", files["stderr"], teeErr)
	if f := files["stdin"]; f != nil {
		o.fs = append(o.fs, f)
	}
	return o
}

func (o *output) copy(stream string, r *os.File, tee io.Writer) {
	if r == nil {
		return
	}
	o.fs = append(o.fs, r)
	var in io.Reader = r
	if tee != nil {
		in = io.TeeReader(r, tee)
	}
	o.wg.Add(1)
	go func() { defer o.wg.Done(); o.sink.Copy(stream, in) }()
}

// wait lets the copiers drain; a process the container left running may
// keep the pipes open, so it waits at most timeout.
func (o *output) wait(timeout time.Duration) {
	done := make(chan struct{})
	go func() { o.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
	for _, f := range o.fs {
		f.Close()
	}
	o.sink.Close()
}

// exit tells the attach clients the container's exit code.
func (o *output) exit(code int) {
	if o.srv != nil {
		o.srv.Exit(code)
	}
}

// openSink opens the log driver the message names; f is the json log the
// monitor opened.
func (w *waiter) openSink(f *os.File) sink {
	switch w.m.Driver {
	case "json-file":
		if f == nil {
			w.log.Error("the json log was not handed over: the output is not logged", nil)
			return discard{}
		}
		jw := jsonfile.FromFile(f, w.m.LogPath, jsonfile.Rotation{MaxSize: w.m.MaxSize, MaxFiles: max(w.m.MaxFiles, 1), Compress: w.m.Compress})
		jw.Compress = w.compress
		return jw
	case "journald":
		conn, err := journal.Dial(journal.SocketPath())
		if err != nil {
			w.log.Error("the output is not logged: journald is not running", err)
			return discard{}
		}
		var fields [][2]string
		for _, kv := range w.m.Journal {
			k, v, _ := strings.Cut(kv, "=")
			fields = append(fields, [2]string{k, v})
		}
		return journal.NewSink(conn, fields)
	}
	if f != nil {
		f.Close()
	}
	return discard{}
}

// compress has ctr-lite gzip a rotated file (this program links no
// compress/gzip), waiting for it as the big waiter waits for its own.
func (w *waiter) compress(src, dst string) error {
	m := *w.m
	m.Files = nil
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	_, done, err := w.kids.start(w.big, []string{compressEntry, src, dst}, append(os.Environ(), reexecMark), []*os.File{null, null, null})
	if err != nil {
		w.log.Warn("compress the rotated log", err)
		return err
	}
	<-done
	return nil
}
