package registry

import "io"

// Progress shows the transfer of each layer.
type Progress interface {
	// Layer starts a layer's display: id is its short digest, total its
	// blob size in bytes.
	Layer(id string, total int64) LayerProgress
	// Wait flushes the display once every layer is done.
	Wait()
}

// LayerProgress is one layer's display.
type LayerProgress interface {
	Add(n int)
	// Done ends it with a status ("Pull complete", "Already exists") or
	// the error that stopped it.
	Done(status string, err error)
}

type noProgress struct{}

func (noProgress) Layer(string, int64) LayerProgress { return noProgress{} }
func (noProgress) Wait()                             {}
func (noProgress) Add(int)                           {}
func (noProgress) Done(string, error)                {}

func (o Options) progress() Progress {
	if o.Progress == nil {
		return noProgress{}
	}
	return o.Progress
}

// progressReader counts what passes through into a LayerProgress.
type progressReader struct {
	io.ReadCloser
	p LayerProgress
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.p.Add(n)
	return n, err
}
