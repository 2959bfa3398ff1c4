package cmd

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctr-lite/ctr-lite/state"
)

func psTestResolver(created map[string]time.Time) psResolver {
	return psResolver{
		created: func(ref string) (time.Time, error) {
			t, ok := created[ref]
			if !ok {
				return time.Time{}, errors.New("No such container: " + ref)
			}
			return t, nil
		},
		imageID: func(ref string) (string, error) {
			if normalizeImageName(ref) == "busybox:latest" {
				return "sha256:bb", nil
			}
			return "", errors.New("no such image")
		},
	}
}

func TestPsFilterMatch(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	web := &state.Container{ID: "abcdef0123", Name: "web", Created: t0.Add(2 * time.Minute), Image: "sha256:bb", ImageName: "busybox",
		Config: state.Config{Labels: map[string]string{"tier": "front", "env": "prod"}, ExposedPorts: map[string]struct{}{"9000/tcp": {}}},
		NetworkSettings: state.NetworkSettings{Networks: map[string]*state.EndpointSettings{"bridge": {NetworkID: "netid1"}},
			Ports: state.PortMap{{Number: 80, Proto: "tcp"}: {{HostIP: "0.0.0.0", HostPort: "8080"}}}}}
	webSt := state.State{Status: state.StatusRunning, Running: true, Health: &state.Health{Status: state.HealthUnhealthy}}
	webHC := &state.HostConfig{PortBindings: state.PortMap{{Number: 80, Proto: "tcp"}: {{HostPort: "8080"}}},
		MountPoints: []state.MountPoint{{Type: state.MountVolume, Source: "data", Destination: "/data"}}}
	db := &state.Container{ID: "fedcba9876", Name: "db", Created: t0.Add(time.Minute), Image: "sha256:dd", ImageName: "debian:12",
		NetworkSettings: state.NetworkSettings{Ports: state.PortMap{{Number: 3306, Proto: "tcp"}: {{HostPort: "3306"}}}}} // stale: it exited
	dbSt := state.State{Status: state.StatusExited, ExitCode: 3}
	dbHC := &state.HostConfig{NetworkMode: "none"}
	res := psTestResolver(map[string]time.Time{"web": web.Created, "db": db.Created})

	tests := []struct {
		filters []string
		want    string // names that match, in order web, db
	}{
		{nil, "web,db"},
		{[]string{"id=abc"}, "web"},
		{[]string{"id=fed", "id=abc"}, "web,db"},
		{[]string{"name=e"}, "web"},
		{[]string{"name=^/d"}, "db"},
		{[]string{"name=^db$"}, "db"},
		{[]string{"name=web", "name=db"}, "web,db"},
		{[]string{"name=web", "status=exited"}, ""},
		{[]string{"label=tier"}, "web"},
		{[]string{"label=tier=back"}, ""},
		{[]string{"label=tier=front", "label=env=prod"}, "web"},
		{[]string{"label=tier=front", "label=env=dev"}, ""},
		{[]string{"status=running"}, "web"},
		{[]string{"status=exited", "status=running"}, "web,db"},
		{[]string{"status=paused"}, ""},
		{[]string{"exited=3"}, "db"},
		{[]string{"exited=0"}, ""},
		{[]string{"ancestor=busybox"}, "web"},
		{[]string{"ancestor=busybox:latest"}, "web"},
		{[]string{"ancestor=docker.io/library/busybox"}, "web"},
		{[]string{"ancestor=sha256:bb"}, "web"},
		{[]string{"ancestor=debian"}, ""},
		{[]string{"ancestor=debian:12"}, "db"},
		{[]string{"before=web"}, "db"},
		{[]string{"since=db"}, "web"},
		{[]string{"since=db", "before=web"}, ""},
		{[]string{"publish=8080"}, "web"},
		{[]string{"publish=80"}, ""}, // the host side, as docker since moby#40405
		{[]string{"publish=8080/udp"}, ""},
		{[]string{"publish=3306"}, ""}, // only a running container's ports are bound
		{[]string{"expose=3306"}, ""},
		{[]string{"publish=8000-8090/tcp"}, "web"},
		{[]string{"expose=9000"}, "web"},
		{[]string{"expose=80"}, "web"},
		{[]string{"network=bridge"}, "web"},
		{[]string{"network=netid"}, "web"},
		{[]string{"network=none"}, "db"},
		{[]string{"volume=data"}, "web"},
		{[]string{"volume=/data"}, "web"},
		{[]string{"volume=other"}, ""},
		{[]string{"health=none"}, "db"},
		{[]string{"health=healthy"}, ""},
		{[]string{"health=unhealthy"}, "web"},
		{[]string{"health=starting", "health=unhealthy"}, "web"},
	}
	for _, tt := range tests {
		f, err := parsePsFilter(tt.filters, res)
		if err != nil {
			t.Errorf("%v: %v", tt.filters, err)
			continue
		}
		var got []string
		for _, p := range []psCandidate{
			{c: web, st: webSt, hostConfig: func() *state.HostConfig { return webHC }},
			{c: db, st: dbSt, hostConfig: func() *state.HostConfig { return dbHC }},
		} {
			if f.match(p) {
				got = append(got, p.c.Name)
			}
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%v: got %q, want %q", tt.filters, strings.Join(got, ","), tt.want)
		}
	}
}

func TestPsFilterErrors(t *testing.T) {
	res := psTestResolver(nil)
	tests := []struct{ filter, want string }{
		{"x=1", "invalid filter 'x'"},
		{"status=sleeping", "invalid filter 'status=sleeping'"},
		{"health=ok", "Unrecognised filter value for health: ok"},
		{"exited=zero", `strconv.Atoi: parsing "zero": invalid syntax`},
		{"publish=http", `error while looking up for publish http: strconv.ParseUint: parsing "http": invalid syntax`},
		{"publish=9999:80", "filter for 'publish' should not contain ':': 9999:80"},
		{"expose=90-80", "error while looking up for expose 90-80: invalid range specified for the Port: 90-80"},
		{"name", "bad format of filter (expected name=value)"},
		{"before=ghost", "No such container: ghost"},
	}
	for _, tt := range tests {
		_, err := parsePsFilter([]string{tt.filter}, res)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.filter, err, tt.want)
		}
	}
}

// TestPsFilterReadsHostConfigOnlyWhenNeeded keeps ps -f name=x free of
// per-container reads beyond the record ps already loaded.
func TestPsFilterReadsHostConfigOnlyWhenNeeded(t *testing.T) {
	c := &state.Container{ID: "abc", Name: "x", NetworkSettings: state.NetworkSettings{Networks: map[string]*state.EndpointSettings{"bridge": nil}}}
	for _, tt := range []struct {
		filter string
		reads  bool
	}{{"name=x", false}, {"label=a", false}, {"status=running", false}, {"network=bridge", false}, {"publish=80", false}, {"expose=80", false}, {"volume=v", true}} {
		f, err := parsePsFilter([]string{tt.filter}, psTestResolver(nil))
		if err != nil {
			t.Fatal(err)
		}
		read := false
		f.match(psCandidate{c: c, st: state.State{Status: state.StatusRunning, Running: true},
			hostConfig: func() *state.HostConfig { read = true; return nil }})
		if read != tt.reads {
			t.Errorf("%s: read hostconfig %v, want %v", tt.filter, read, tt.reads)
		}
	}
}

func TestPsRowsLastAndNoTrunc(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	long := strings.Repeat("a", 64)
	list := []*state.Container{
		{ID: long, Name: "old", Created: t0, Path: "sleep", Args: []string{"1000000000000000000000"}, State: state.State{Status: state.StatusCreated}},
		{ID: strings.Repeat("b", 64), Name: "new", Created: t0.Add(time.Second), Path: "true", State: state.State{Status: state.StatusCreated}},
	}
	rows := psRows(list, psSelect{all: true, last: 1}, t0)
	if len(rows) != 1 || rows[0].Names != "new" {
		t.Fatalf("-n 1: %+v", rows)
	}
	rows = psRows(list, psSelect{all: true, noTrunc: true}, t0)
	if rows[1].ID != long || rows[1].Command != `"sleep 1000000000000000000000"` {
		t.Fatalf("--no-trunc: %+v", rows[1])
	}
	rows = psRows(list, psSelect{all: true}, t0)
	if rows[1].ID != long[:12] || rows[1].Command != `"sleep 1000000000000…"` {
		t.Fatalf("truncated: %+v", rows[1])
	}
}
