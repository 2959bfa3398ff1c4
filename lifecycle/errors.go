package lifecycle

import (
	"errors"
	"strings"
)

// Docker's exit codes for failures that are not the container's own.
const (
	ExitEngine      = 125
	ExitCannotRun   = 126
	ExitNotFound    = 127
	ExitUnknownCode = 255
)

// ExitError carries an exit code. With a nil Err it is the container's own
// exit status, to be passed on silently.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return "container exited with status " + itoa(e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the process exit status for this error.
func (e *ExitError) ExitCode() int { return e.Code }

// Silent reports whether nothing should be printed for this error.
func (e *ExitError) Silent() bool { return e.Err == nil }

func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: code, Err: err}
}

// codeForRuntimeMessage maps a runtime's error text to docker's codes, as
// the docker CLI does for start errors.
func CodeForRuntimeMessage(msg string) int {
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		return ExitNotFound
	case strings.Contains(msg, "permission denied"), strings.Contains(msg, "is a directory"), strings.Contains(msg, "not a directory"):
		return ExitCannotRun
	}
	return ExitEngine
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
