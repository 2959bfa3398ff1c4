package cmd

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/registry"
)

// newProgress shows layer transfers on w: bars with bytes and speed on a
// terminal, one line per finished layer otherwise, nothing when quiet.
func newProgress(w io.Writer, quiet bool) registry.Progress {
	if quiet {
		return nil
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return &barProgress{w: w}
		}
	}
	return &lineProgress{w: w}
}

// lineProgress prints "<layer>: <status>" as each layer finishes.
type lineProgress struct {
	w  io.Writer
	mu sync.Mutex
}

type lineLayer struct {
	lp *lineProgress
	id string
}

func (p *lineProgress) Layer(id string, _ int64) registry.LayerProgress {
	return &lineLayer{lp: p, id: id}
}
func (p *lineProgress) Wait() {}

func (l *lineLayer) Add(int) {}
func (l *lineLayer) Done(status string, err error) {
	if err != nil {
		return // the command's error says it
	}
	l.lp.mu.Lock()
	defer l.lp.mu.Unlock()
	fmt.Fprintf(l.lp.w, "%s: %s\n", l.id, status)
}

// barProgress draws one mpb bar per layer.
type barProgress struct {
	w io.Writer
	p *mpb.Progress
}

type barLayer struct {
	bar    *mpb.Bar
	status atomic.Value // string shown once done
}

func (p *barProgress) Layer(id string, total int64) registry.LayerProgress {
	if p.p == nil {
		p.p = mpb.New(mpb.WithOutput(p.w), mpb.WithWidth(30))
	}
	l := &barLayer{}
	l.status.Store("")
	// Created empty and sized after, so that reaching the size does not
	// complete the bar before Done has set its status.
	l.bar = p.p.AddBar(0,
		mpb.PrependDecorators(decor.Name(id+": ")),
		mpb.AppendDecorators(
			decor.CountersKibiByte("% .1f / % .1f "),
			decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace),
			decor.Any(func(decor.Statistics) string { return " " + l.status.Load().(string) }),
		),
	)
	l.bar.SetTotal(total, false)
	return l
}

func (p *barProgress) Wait() {
	if p.p != nil {
		p.p.Wait()
		p.p = nil
	}
}

func (l *barLayer) Add(n int) { l.bar.IncrBy(n) }
func (l *barLayer) Done(status string, err error) {
	if err != nil {
		l.status.Store("failed")
		l.bar.Abort(false)
		return
	}
	l.status.Store(status)
	l.bar.SetTotal(-1, true)
}
