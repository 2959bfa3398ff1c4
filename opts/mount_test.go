package opts

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

// The forms docker's --mount documentation gives, and its errors.
func TestParseMount(t *testing.T) {
	dir := t.TempDir()
	good := map[string]state.MountPoint{
		"type=bind,source=" + dir + ",target=/app":                                  {Type: "bind", Source: dir, Destination: "/app"},
		"type=bind,src=" + dir + ",dst=/app,readonly":                               {Type: "bind", Source: dir, Destination: "/app", ReadOnly: true},
		"type=bind,src=" + dir + ",destination=/app,ro=true":                        {Type: "bind", Source: dir, Destination: "/app", ReadOnly: true},
		"type=bind,src=" + dir + ",dst=/app,bind-propagation=rslave":                {Type: "bind", Source: dir, Destination: "/app", Propagation: "rslave"},
		"type=bind,src=" + dir + ",dst=/app,bind-recursive=disabled":                {Type: "bind", Source: dir, Destination: "/app", NonRecursive: true},
		"type=bind,src=" + dir + ",dst=/app,bind-nonrecursive":                      {Type: "bind", Source: dir, Destination: "/app", NonRecursive: true},
		"source=myvol,target=/data":                                                 {Type: "volume", Source: "myvol", Destination: "/data"},
		"type=volume,target=/data":                                                  {Type: "volume", Destination: "/data"},
		"type=volume,src=v,dst=/data,volume-nocopy":                                 {Type: "volume", Source: "v", Destination: "/data", NoCopy: true},
		"type=volume,src=v,dst=/data,volume-opt=type=tmpfs,volume-opt=device=tmpfs": {Type: "volume", Source: "v", Destination: "/data", VolumeOptions: map[string]string{"type": "tmpfs", "device": "tmpfs"}},
		`type=volume,src=v,dst=/data,"volume-opt=o=size=1m,uid=1000"`:               {Type: "volume", Source: "v", Destination: "/data", VolumeOptions: map[string]string{"o": "size=1m,uid=1000"}},
		"type=tmpfs,destination=/cache,tmpfs-size=64m,tmpfs-mode=1770":              {Type: "tmpfs", Source: "tmpfs", Destination: "/cache", Options: []string{"rw", "noexec", "nosuid", "nodev", "size=67108864", "mode=1770"}},
		"type=tmpfs,dst=/cache,readonly":                                            {Type: "tmpfs", Source: "tmpfs", Destination: "/cache", ReadOnly: true, Options: []string{"noexec", "nosuid", "nodev", "ro"}},
	}
	for in, want := range good {
		_, got, err := ParseMount(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseMount(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"": "value is empty",
		"type=bind,source=/nonexistent-x,target=/x":                  `invalid mount config for type "bind": bind source path does not exist: /nonexistent-x`,
		"type=bind,target=/x":                                        `invalid mount config for type "bind": field Source must not be empty`,
		"type=volume,source=v":                                       `invalid mount config for type "volume": field Target must not be empty`,
		"type=tmpfs,source=x,target=/x":                              `invalid mount config for type "tmpfs": field Source must not be specified`,
		"type=volume,target=/x,bind-propagation=shared":              "cannot mix 'bind-*' options with mount type 'volume'",
		"type=bind,src=" + dir + ",target=/x,tmpfs-size=1m":          "cannot mix 'tmpfs-*' options with mount type 'bind'",
		"type=tmpfs,target=/x,volume-nocopy":                         "cannot mix 'volume-*' options with mount type 'tmpfs'",
		"type=bind,src=" + dir + ",target=/x,bind-propagation=bogus": "invalid propagation mode: bogus",
		"type=tmpfs,target=/x,tmpfs-size=lots":                       "invalid value for tmpfs-size: lots",
		"type=tmpfs,target=/x,tmpfs-mode=9":                          "invalid value for tmpfs-mode: 9",
		"type=npipe,target=/x":                                       "mount type unknown",
		"type=volume,target=/x,readonly=yes":                         "invalid boolean value",
		"type=volume,target=/x,foo=bar":                              "unknown option 'foo' in 'foo=bar'",
		"type=volume,target":                                         "invalid field 'target' must be a key=value pair",
		"type=volume,target=rel":                                     "must be absolute",
		"type=volume,target=/x,volume-driver=nfs":                    "only the local driver",
	}
	for in, want := range bad {
		if _, got, err := ParseMount(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMount(%q) = %+v, %v; want error with %q", in, got, err, want)
		}
	}
}

// HostConfig.Mounts keeps what was given, in docker's shape.
func TestParseMountAsGiven(t *testing.T) {
	m, _, err := ParseMount("type=tmpfs,dst=/c,tmpfs-size=1m")
	want := state.Mount{Type: "tmpfs", Target: "/c", TmpfsOptions: &state.MountTmpfsOptions{SizeBytes: 1 << 20}}
	if err != nil || !reflect.DeepEqual(m, want) {
		t.Fatalf("got %+v %v", m, err)
	}
}
