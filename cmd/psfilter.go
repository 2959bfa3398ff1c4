package cmd

// psfilter.go is ps's -f/--filter: docker's keys and semantics, pure (no
// cobra, no I/O of its own). Values of one key are ORed, keys are ANDed,
// as docker does; label is the exception (every label given must match,
// docker's MatchKVList). A filter reads only what its keys need: the
// hostconfig record is loaded (through psCandidate.hostConfig) only for
// volume, and for network on a container that never ran.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ctr-lite/ctr-lite/opts"
	"github.com/ctr-lite/ctr-lite/state"
)

// psFilterKeys are docker's ps filter keys.
var psFilterKeys = map[string]bool{
	"id": true, "name": true, "label": true, "status": true, "exited": true, "ancestor": true,
	"before": true, "since": true, "publish": true, "expose": true, "network": true, "volume": true,
	"health": true, "isolation": true, "is-task": true,
}

// psStatuses are the values docker accepts for status=.
var psStatuses = map[string]bool{
	"created": true, "restarting": true, "running": true, "removing": true,
	"paused": true, "exited": true, "dead": true,
}

// psHealths are docker's health= values: a container without a check is
// "none".
var psHealths = map[string]bool{"none": true, "starting": true, "healthy": true, "unhealthy": true}

// psFilter is a parsed --filter list.
type psFilter struct {
	vals     map[string][]string
	names    []*regexp.Regexp
	ids      []*regexp.Regexp
	exited   []int
	before   time.Time // zero: no before=
	since    time.Time
	ancestor []string // image IDs (sha256:...) and normalized names
	publish  []portRange
	expose   []portRange
}

// portRange is a PORT[-END][/PROTO] filter value.
type portRange struct {
	from, to uint16
	proto    string
}

func (r portRange) has(p state.Port) bool {
	return p.Proto == r.proto && p.Number >= r.from && p.Number <= r.to
}

// invalidFilter is docker's error for an unknown key or a bad value.
func invalidFilter(key, value string) error {
	if value == "" {
		return fmt.Errorf("invalid filter '%s'", key)
	}
	return fmt.Errorf("invalid filter '%s=%s'", key, value)
}

// psResolver is what parsing needs from the stores: a container's creation
// time by name or ID (before/since), an image's ID by reference (ancestor).
type psResolver struct {
	created func(ref string) (time.Time, error)
	imageID func(ref string) (string, error)
}

// parsePsFilter reads KEY=VALUE arguments as docker does.
func parsePsFilter(args []string, r psResolver) (*psFilter, error) {
	f := &psFilter{vals: map[string][]string{}}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("bad format of filter (expected name=value)")
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if !psFilterKeys[k] {
			return nil, invalidFilter(k, "")
		}
		f.vals[k] = append(f.vals[k], strings.TrimSpace(v))
	}
	for k, vs := range f.vals {
		for _, v := range vs {
			if err := f.add(k, v, r); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

func (f *psFilter) add(k, v string, r psResolver) error {
	switch k {
	case "name", "id":
		re, err := regexp.Compile(v)
		if err != nil {
			return invalidFilter(k, v)
		}
		if k == "name" {
			f.names = append(f.names, re)
		} else {
			f.ids = append(f.ids, re)
		}
	case "status":
		if !psStatuses[v] {
			return invalidFilter(k, v)
		}
	case "health":
		if !psHealths[v] {
			return fmt.Errorf("Unrecognised filter value for health: %s", v) //nolint:staticcheck // docker's text
		}
	case "exited":
		code, err := strconv.Atoi(v)
		if err != nil {
			return err // docker's text: strconv.Atoi: parsing "x": invalid syntax
		}
		f.exited = append(f.exited, code)
	case "before", "since":
		t, err := r.created(v)
		if err != nil {
			return err
		}
		if k == "before" {
			f.before = t
		} else {
			f.since = t
		}
	case "ancestor":
		f.ancestor = append(f.ancestor, normalizeImageName(v))
		if id, err := r.imageID(v); err == nil { // an unknown image matches by name only, as docker
			f.ancestor = append(f.ancestor, id)
		}
	case "publish", "expose":
		if strings.Contains(v, ":") {
			return fmt.Errorf("filter for '%s' should not contain ':': %s", k, v)
		}
		pr, err := parsePortRange(v)
		if err != nil {
			return fmt.Errorf("error while looking up for %s %s: %w", k, v, err)
		}
		if k == "publish" {
			f.publish = append(f.publish, pr)
		} else {
			f.expose = append(f.expose, pr)
		}
	}
	return nil
}

func parsePortRange(v string) (portRange, error) {
	ports, proto, _ := strings.Cut(v, "/")
	if proto == "" {
		proto = "tcp"
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	if !isRange {
		hi = lo
	}
	from, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		return portRange{}, err
	}
	to, err := strconv.ParseUint(hi, 10, 16)
	if err != nil {
		return portRange{}, err
	}
	if to < from {
		return portRange{}, fmt.Errorf("invalid range specified for the Port: %s", ports)
	}
	return portRange{from: uint16(from), to: uint16(to), proto: strings.ToLower(proto)}, nil
}

// normalizeImageName is docker's familiar name with its default tag:
// "busybox" and "docker.io/library/busybox:latest" are "busybox:latest".
func normalizeImageName(ref string) string {
	ref = strings.TrimPrefix(ref, "docker.io/")
	ref = strings.TrimPrefix(ref, "library/")
	if strings.Contains(ref, "@") {
		return ref
	}
	if i := strings.LastIndex(ref, ":"); i < 0 || strings.Contains(ref[i:], "/") {
		ref += ":latest"
	}
	return ref
}

// impliesAll: docker lists stopped containers without -a when a status
// filter is given (and only then).
func (f *psFilter) impliesAll() bool { return len(f.vals["status"]) > 0 }

// psCandidate is one container as the filter sees it.
type psCandidate struct {
	c          *state.Container
	st         state.State // the corrected state (trueState)
	hostConfig func() *state.HostConfig
}

// match reports whether the candidate passes every key.
func (f *psFilter) match(p psCandidate) bool {
	c := p.c
	checks := []struct {
		key string
		ok  func() bool
	}{
		{"id", func() bool { return anyRegexp(f.ids, c.ID) }},
		{"name", func() bool { return f.nameMatches(c.Name) }},
		{"label", func() bool { return opts.LabelsMatch(f.vals["label"], c.Config.Labels) }},
		{"status", func() bool { return contains(f.vals["status"], psStatus(p.st)) }},
		{"exited", func() bool { return exitedMatch(f.exited, p.st) }},
		{"health", func() bool { return contains(f.vals["health"], p.st.HealthStatus()) }},
		{"before", func() bool { return c.Created.Before(f.before) }},
		{"since", func() bool { return c.Created.After(f.since) }},
		{"ancestor", func() bool { return ancestorMatch(f.ancestor, c) }},
		{"publish", func() bool { return p.st.Running && anyPort(f.publish, publishedPorts(c)) }},
		{"expose", func() bool { return p.st.Running && anyPort(f.expose, exposedPorts(c)) }},
		{"network", func() bool { return networkMatch(f.vals["network"], c, p.hostConfig) }},
		{"volume", func() bool { return volumeMatch(f.vals["volume"], p.hostConfig()) }},
		{"isolation", func() bool { return contains(f.vals["isolation"], "default") }},
		{"is-task", func() bool { return contains(f.vals["is-task"], "false") }},
	}
	for _, ch := range checks {
		if len(f.vals[ch.key]) > 0 && !ch.ok() {
			return false
		}
	}
	return true
}

// psStatus is the status docker's filter compares: a paused container is
// "paused" whatever its record's status says.
func psStatus(st state.State) string {
	if st.Paused && st.Running {
		return "paused"
	}
	if st.Restarting {
		return state.StatusRestarting
	}
	return st.Status
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func anyRegexp(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// exitedMatch: only a container that ran and stopped has an exit code.
func exitedMatch(codes []int, st state.State) bool {
	if st.Running || st.Status != state.StatusExited {
		return false
	}
	for _, c := range codes {
		if c == st.ExitCode {
			return true
		}
	}
	return false
}

func ancestorMatch(want []string, c *state.Container) bool {
	name := normalizeImageName(c.ImageName)
	for _, w := range want {
		if w == name || (c.Image != "" && w == c.Image) {
			return true
		}
	}
	return false
}

func anyPort(want []portRange, have []state.Port) bool {
	for _, w := range want {
		for _, p := range have {
			if w.has(p) {
				return true
			}
		}
	}
	return false
}

// publishedPorts are a running container's host ports: docker's publish=
// matches the host side (moby#40405), and only while the ports are bound.
func publishedPorts(c *state.Container) []state.Port {
	var out []state.Port
	for p, bindings := range c.NetworkSettings.Ports {
		for _, b := range bindings {
			if n, err := strconv.ParseUint(b.HostPort, 10, 16); err == nil {
				out = append(out, state.Port{Number: uint16(n), Proto: p.Proto})
			}
		}
	}
	return out
}

// exposedPorts are a running container's container-side ports: the
// published ones and the image's and --expose's.
func exposedPorts(c *state.Container) []state.Port {
	out := make([]state.Port, 0, len(c.NetworkSettings.Ports)+len(c.Config.ExposedPorts))
	for p := range c.NetworkSettings.Ports {
		out = append(out, p)
	}
	for key := range c.Config.ExposedPorts {
		if pr, err := parsePortRange(key); err == nil && pr.from == pr.to {
			out = append(out, state.Port{Number: pr.from, Proto: pr.proto})
		}
	}
	return out
}

// networkMatch compares names and network IDs (a prefix, as docker); the
// hostconfig is read only when the record has no network settings (a
// container that never ran).
func networkMatch(want []string, c *state.Container, hc func() *state.HostConfig) bool {
	for _, w := range want {
		for name, ep := range c.NetworkSettings.Networks {
			if w == name || (ep != nil && ep.NetworkID != "" && strings.HasPrefix(ep.NetworkID, w)) {
				return true
			}
		}
	}
	if len(c.NetworkSettings.Networks) > 0 {
		return false
	}
	h := hc()
	if h == nil {
		return false
	}
	mode := h.NetworkMode
	if mode == "" || mode == "default" {
		mode = "bridge"
	}
	return contains(want, mode)
}

// volumeMatch compares a mount's volume name or its destination.
func volumeMatch(want []string, hc *state.HostConfig) bool {
	if hc == nil {
		return false
	}
	for _, m := range hc.MountPoints {
		for _, w := range want {
			if (m.Type == state.MountVolume && m.Source == w) || m.Destination == w || (m.Type == state.MountBind && m.Source == w) {
				return true
			}
		}
	}
	return false
}

// nameMatches is the name filter: docker matches the regexps against
// "/NAME" as well as NAME, so ^/web and ^web both work.
func (f *psFilter) nameMatches(name string) bool {
	return anyRegexp(f.names, name) || anyRegexp(f.names, "/"+name)
}
