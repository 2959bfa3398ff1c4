package events

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Filter is docker's events --filter: values of one key are ORed, keys
// ANDed.
type Filter map[string][]string

// filterKeys are the keys docker's events takes that ctr-lite logs.
var filterKeys = map[string]bool{"container": true, "image": true, "event": true, "type": true,
	"label": true, "network": true, "volume": true}

// ParseFilter reads KEY=VALUE arguments of --filter.
func ParseFilter(args []string) (Filter, error) {
	f := Filter{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !filterKeys[k] {
			return nil, fmt.Errorf("invalid filter %q: use KEY=VALUE with container, image, event, type, label, network or volume", a)
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

// Match reports whether m passes f.
func (f Filter) Match(m Message) bool {
	a := m.Actor.Attributes
	checks := map[string]func(v string) bool{
		"event": func(v string) bool { return m.Action == v || actionVerb(m.Action) == v },
		"type":  func(v string) bool { return m.Type == v },
		"container": func(v string) bool {
			return m.Type == "container" && (v == a["name"] || (len(v) >= 3 && strings.HasPrefix(m.Actor.ID, v)))
		},
		"image": func(v string) bool {
			return a["image"] == v || (m.Type == "image" && (m.Actor.ID == v || a["name"] == v))
		},
		"network": func(v string) bool {
			return m.Type == "network" && (m.Actor.ID == v || a["name"] == v)
		},
		"volume": func(v string) bool { return m.Type == "volume" && m.Actor.ID == v },
		"label": func(v string) bool {
			k, want, hasValue := strings.Cut(v, "=")
			got, ok := a[k]
			return ok && (!hasValue || got == want)
		},
	}
	for k, vs := range f {
		ok := false
		for _, v := range vs {
			if checks[k](v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// TimeFormat is docker's RFC3339NanoFixed.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// Line is docker's default events line:
// TIME TYPE ACTION ID (k=v, ...), attributes sorted by key.
func (m Message) Line() string {
	var b strings.Builder
	b.WriteString(time.Unix(0, m.TimeNano).Format(TimeFormat))
	fmt.Fprintf(&b, " %s %s %s", m.Type, m.Action, m.Actor.ID)
	if len(m.Actor.Attributes) > 0 {
		keys := make([]string, 0, len(m.Actor.Attributes))
		for k := range m.Actor.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + m.Actor.Attributes[k]
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	return b.String()
}

// Query is what `events` asks for: a window and a filter.
type Query struct {
	Since, Until time.Time // zero: no bound (Since zero: no past events)
	Filter       Filter
}

// Watch passes to fn the logged events of q's window, oldest first, then,
// without Until, follows the log until stop is closed; with Until it
// follows until that time.
func Watch(root string, q Query, stop <-chan struct{}, fn func(Message) error) error {
	var ferr error
	in := func(m Message) bool {
		t := time.Unix(0, m.TimeNano)
		if !q.Until.IsZero() && t.After(q.Until) {
			return false
		}
		if (q.Since.IsZero() || t.Before(q.Since)) || !q.Filter.Match(m) {
			return true
		}
		if err := fn(m); err != nil {
			ferr = err
			return false
		}
		return true
	}
	past, cursor, err := ReadAll(root)
	if err != nil {
		return err
	}
	followed := false
	defer func() {
		if !followed {
			cursor.Close()
		}
	}()
	if !q.Since.IsZero() {
		for _, m := range past {
			if !in(m) {
				return ferr
			}
		}
	}
	if !q.Until.IsZero() && !time.Now().Before(q.Until) {
		return ferr
	}
	// live events pass whatever Since says
	live := func(m Message) bool {
		if q.Since.IsZero() {
			q.Since = time.Unix(0, 1)
		}
		return in(m)
	}
	done := make(chan struct{})
	if !q.Until.IsZero() {
		go func() {
			select {
			case <-time.After(time.Until(q.Until)):
			case <-stop:
			}
			close(done)
		}()
	} else {
		done = nil
	}
	stopAny := stop
	if done != nil {
		stopAny = done
	}
	followed = true
	if err := Follow(root, cursor, 200*time.Millisecond, stopAny, live); err != nil {
		return err
	}
	return ferr
}

// actionVerb is an action without what follows its colon: docker's
// event=exec_start matches "exec_start: sh -c ..." (moby #25798).
func actionVerb(action string) string {
	verb, _, _ := strings.Cut(action, ":")
	return verb
}
