package lifecycle

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/ctr-lite/ctr-lite/internal/journal"
	"github.com/ctr-lite/ctr-lite/state"
)

// journaldLog is --log-driver journald (journal.Sink); the waiter dials
// again itself.
type journaldLog struct{ *journal.Sink }

func (journaldLog) File() *os.File { return nil }

func (e *Engine) openJournald(id string) (LogSink, error) {
	fields, err := e.JournalFields(id)
	if err != nil {
		return nil, err
	}
	conn, err := journal.Dial(journal.SocketPath())
	if err != nil {
		return nil, fmt.Errorf("%w: journald is not running; use --log-driver json-file", err)
	}
	return journaldLog{journal.NewSink(conn, fields)}, nil
}

// JournalFields are the fields of each of container id's journal
// entries, docker's (its --log-opt tag rendered).
func (e *Engine) JournalFields(id string) ([][2]string, error) {
	c, err := e.Containers.Load(id)
	if err != nil {
		return nil, err
	}
	hc, err := e.Containers.LoadHostConfig(id)
	if err != nil {
		return nil, err
	}
	tag, err := state.RenderLogTag(hc.LogConfig.Config["tag"], state.NewLogTagInfo(c))
	if err != nil {
		return nil, err
	}
	return [][2]string{{"CONTAINER_ID", state.ShortID(c.ID)}, {"CONTAINER_ID_FULL", c.ID},
		{"CONTAINER_NAME", c.Name}, {"CONTAINER_TAG", tag}, {"IMAGE_NAME", c.ImageName}, {"SYSLOG_IDENTIFIER", tag}}, nil
}

// journalctlArgs maps logs' options onto journalctl; the bounds are
// widened to whole seconds and applied exactly again on each entry.
func journalctlArgs(id string, o LogsOptions) []string {
	args := []string{"-o", "json", "--no-pager"}
	if !o.Filter.Since.IsZero() {
		args = append(args, "--since", "@"+strconv.FormatInt(o.Filter.Since.Unix(), 10))
	}
	if !o.Filter.Until.IsZero() {
		args = append(args, "--until", "@"+strconv.FormatInt(o.Filter.Until.Unix()+1, 10))
	}
	if o.Filter.Tail >= 0 {
		args = append(args, "-n", strconv.Itoa(o.Filter.Tail))
	}
	if o.Follow {
		args = append(args, "-f")
	}
	return append(args, "CONTAINER_ID_FULL="+id)
}

// journalEntry is what logs reads of one `journalctl -o json` line.
// MESSAGE is a string, or an array of bytes when it is not UTF-8.
type journalEntry struct {
	Message  json.RawMessage `json:"MESSAGE"`
	Priority string          `json:"PRIORITY"`
	Realtime string          `json:"__REALTIME_TIMESTAMP"`
	Partial  string          `json:"CONTAINER_PARTIAL_MESSAGE"`
}

func (j *journalEntry) logEntry() (state.LogEntry, error) {
	var msg string
	if err := json.Unmarshal(j.Message, &msg); err != nil {
		var raw []byte
		var ints []int
		if err := json.Unmarshal(j.Message, &ints); err != nil {
			return state.LogEntry{}, fmt.Errorf("read journal entry: MESSAGE %s", j.Message)
		}
		for _, c := range ints {
			raw = append(raw, byte(c))
		}
		msg = string(raw)
	}
	if j.Partial != "true" {
		msg += "\n"
	}
	en := state.LogEntry{Log: msg, Stream: "stdout"}
	if j.Priority == "3" {
		en.Stream = "stderr"
	}
	if us, err := strconv.ParseInt(j.Realtime, 10, 64); err == nil {
		en.Time = time.UnixMicro(us).UTC()
	}
	return en, nil
}

// journaldLogs is logs for a journald container: journalctl's entries,
// until it ends, or with Follow until the container stops or ctx ends.
func (e *Engine) journaldLogs(ctx context.Context, c *state.Container, o LogsOptions, print func(state.LogEntry) error) error {
	bin, err := exec.LookPath("journalctl")
	if err != nil {
		return WithCode(ExitEngine, errors.New("logs of a journald container are read with journalctl, which is not installed: install it (systemd), or use --log-driver json-file"))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, journalctlArgs(c.ID, o)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return WithCode(ExitEngine, err)
	}
	if err := cmd.Start(); err != nil {
		return WithCode(ExitEngine, fmt.Errorf("run journalctl: %w", err))
	}
	if o.Follow {
		go e.cancelWhenStopped(ctx, c.ID, cancel)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var je journalEntry
		if err := json.Unmarshal(sc.Bytes(), &je); err != nil {
			continue // not an entry (journalctl's own notes)
		}
		en, err := je.logEntry()
		if err != nil {
			return WithCode(ExitEngine, err)
		}
		if o.Filter.Keep(&en) {
			if err := print(en); err != nil {
				return err
			}
		}
	}
	if err := cmd.Wait(); err != nil && ctx.Err() == nil {
		return WithCode(ExitEngine, fmt.Errorf("read the journal with journalctl: %w", err))
	}
	return nil
}

// cancelWhenStopped ends a followed read once the container is no longer
// running (a moment later, so its last lines are read).
func (e *Engine) cancelWhenStopped(ctx context.Context, id string, cancel func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
		if c, err := e.Containers.Load(id); err != nil || !IsRunning(c) {
			time.Sleep(300 * time.Millisecond)
			cancel()
			return
		}
	}
}
