// Package daemonconfig reads ctr-lite's engine-wide defaults from one
// file, /etc/ctr-lite/daemon.json, in docker's daemon.json key names and
// meanings (dockerd's --config-file). ctr-lite has no daemon: every
// command reads the file again, so an edit takes effect at the next
// command, without a restart.
//
// Guarantees:
//   - The default file missing is no file: every built-in default holds.
//     A file named by --config-file or CTR_LITE_CONFIG must exist.
//   - Nothing is ignored silently: an unknown key, a docker key ctr-lite
//     does not honour, a value of the wrong type, or a value that does not
//     parse is a one-line error naming the key and the file.
//   - The package only reads and checks. It decides no precedence: cmd puts
//     each value where the built-in default is decided (a command-line flag
//     beats CTR_LITE_* in the environment, which beats the file, which
//     beats the built-in default; a container's own flag beats the file),
//     and ContainerDefaults fills a container's unset fields, so a default
//     from the file takes the same path to the spec as the flag it stands for.
package daemonconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	units "github.com/docker/go-units"
)

// DefaultFile is read when neither --config-file nor CTR_LITE_CONFIG names one.
const DefaultFile = "/etc/ctr-lite/daemon.json"

// Config is the file's content. Empty fields are keys the file lacks.
type Config struct {
	// Path is the file read; "" when the default file is absent.
	Path string `json:"-"`

	DataRoot      string `json:"data-root"`      // --root
	ExecRoot      string `json:"exec-root"`      // --runroot
	StorageDriver string `json:"storage-driver"` // --storage-driver
	LogLevel      string `json:"log-level"`      // --log-level
	// DefaultRuntime names the runtime of containers made without
	// --runtime: "runc" (the engine's, --runtime's) or a key of Runtimes.
	DefaultRuntime string             `json:"default-runtime"`
	Runtimes       map[string]Runtime `json:"runtimes"`
	// Bip is the default bridge's address and prefix (10.88.0.1/16); its
	// subnet is --default-subnet.
	Bip    string `json:"bip"`
	Bridge string `json:"bridge"` // --default-bridge

	LogDriver      string                   `json:"log-driver"`
	LogOpts        map[string]string        `json:"log-opts"`
	DefaultUlimits map[string]*units.Ulimit `json:"default-ulimits"`
	DNS            []string                 `json:"dns"`
	DNSSearch      []string                 `json:"dns-search"`
	DNSOpts        []string                 `json:"dns-opts"`
	DefaultShmSize string                   `json:"default-shm-size"`
	Init           *bool                    `json:"init"`
	CgroupParent   string                   `json:"cgroup-parent"`
	DefaultIpcMode string                   `json:"default-ipc-mode"`
	// Labels are the engine's own labels (docker info's Labels), shown by
	// info; they are not put on containers, as in docker.
	Labels []string `json:"labels"`

	shmSize int64
}

// Runtime is one entry of "runtimes": docker's {"path": ...}.
type Runtime struct {
	Path        string   `json:"path"`
	RuntimeArgs []string `json:"runtimeArgs"`
}

// unsupported are docker's daemon.json keys ctr-lite knows and refuses,
// with what to do instead: taking them and doing nothing would leave a
// setting the reader believes in.
var unsupported = map[string]string{
	"insecure-registries":      "list them in /etc/ctr-lite/registries.json",
	"registry-mirrors":         "ctr-lite has no registry mirrors; remove it",
	"default-address-pools":    "ctr-lite has no address pools; give network create --subnet",
	"fixed-cidr":               "the default network uses its whole subnet; set \"bip\"",
	"fixed-cidr-v6":            "the default network has no IPv6; make an --ipv6 network with network create",
	"ipv6":                     "the default network has no IPv6; make an --ipv6 network with network create",
	"mtu":                      "give network create -o com.docker.network.driver.mtu=N",
	"default-gateway":          "the default network's gateway is its subnet's first address; set \"bip\"",
	"iptables":                 "ctr-lite always sets up the rules of its networks; remove it",
	"ip-forward":               "ctr-lite always enables forwarding for its networks; remove it",
	"ip-masq":                  "give network create -o com.docker.network.bridge.enable_ip_masquerade=false",
	"icc":                      "inter-container traffic cannot be turned off; remove it",
	"storage-opts":             "the storage drivers take no options; remove it",
	"exec-opts":                "the cgroup driver is not chosen; remove it",
	"default-cgroupns-mode":    "give each container --cgroupns",
	"no-new-privileges":        "give each container --security-opt no-new-privileges",
	"seccomp-profile":          "give each container --security-opt seccomp=PROFILE.json",
	"selinux-enabled":          "SELinux is not supported; remove it",
	"userns-remap":             "user namespaces are not supported yet; remove it",
	"init-path":                "the init is built into ctr-lite; remove it",
	"debug":                    "set \"log-level\": \"debug\"",
	"live-restore":             "containers outlive every ctr-lite command already; remove it",
	"hosts":                    "ctr-lite has no daemon or API socket; remove it",
	"tls":                      "ctr-lite has no daemon or API socket; remove it",
	"tlsverify":                "ctr-lite has no daemon or API socket; remove it",
	"group":                    "ctr-lite has no daemon or API socket; remove it",
	"pidfile":                  "ctr-lite has no daemon; remove it",
	"shutdown-timeout":         "ctr-lite has no daemon; give stop -t or --stop-timeout",
	"max-concurrent-downloads": "pull fetches three layers at a time; remove it",
	"max-concurrent-uploads":   "remove it",
	"experimental":             "remove it",
	"features":                 "remove it",
}

// Load reads path. A missing file is no file (a Config with Path "")
// unless named is set (the caller's --config-file or CTR_LITE_CONFIG).
func Load(path string, named bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config file %q: %w", path, err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config file %q: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse decodes and checks a file's content; errors name the key.
func Parse(data []byte) (*Config, error) {
	if err := checkKeys(data); err != nil {
		return nil, err
	}
	if err := checkEntries(data); err != nil {
		return nil, err
	}
	c := &Config{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // keys inside "runtimes" and "default-ulimits" entries
	if err := dec.Decode(c); err != nil {
		return nil, decodeError(err, "")
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value: the file is one object")
	}
	return c, c.check()
}

// checkKeys refuses top-level keys ctr-lite does not take, sorted so the
// error is the same every time.
func checkKeys(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return decodeError(err, "")
	}
	known := map[string]bool{}
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			known[name] = true
		}
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if known[k] {
			continue
		}
		if hint, ok := unsupported[k]; ok {
			return fmt.Errorf("key %q is docker's but ctr-lite does not support it: %s", k, hint)
		}
		return fmt.Errorf("unknown key %q: see the daemon.json keys in ctr-lite's README", k)
	}
	return nil
}

// checkEntries decodes each entry of "default-ulimits" and "runtimes"
// alone, so that an error names the entry ("default-ulimits.nofile"),
// which encoding/json's paths leave out for map values.
func checkEntries(data []byte) error {
	var top struct {
		Ulimits  map[string]json.RawMessage `json:"default-ulimits"`
		Runtimes map[string]json.RawMessage `json:"runtimes"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return decodeError(err, "")
	}
	for _, set := range []struct {
		key     string
		entries map[string]json.RawMessage
		into    func() any
	}{
		{"default-ulimits", top.Ulimits, func() any { return &units.Ulimit{} }},
		{"runtimes", top.Runtimes, func() any { return &Runtime{} }},
	} {
		names := make([]string, 0, len(set.entries))
		for name := range set.entries {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			dec := json.NewDecoder(bytes.NewReader(set.entries[name]))
			dec.DisallowUnknownFields()
			if err := dec.Decode(set.into()); err != nil {
				return decodeError(err, set.key+"."+name)
			}
		}
	}
	return nil
}

// decodeError names the key of a type error or an unknown key; in is
// the entry decoded ("default-ulimits.nofile"), "" for the whole file.
func decodeError(err error, in string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		subject := "the file"
		switch {
		case in != "" && te.Field != "":
			subject = fmt.Sprintf("key %q", in+"."+te.Field)
		case in != "":
			subject = fmt.Sprintf("key %q", in)
		case te.Field != "":
			subject = fmt.Sprintf("key %q", te.Field)
		}
		return fmt.Errorf("%s is %s, want %s", subject, article(te.Value), typeName(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not JSON at byte %d: %w", se.Offset, err)
	}
	if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		where := ""
		if in != "" {
			where = fmt.Sprintf(" in %q", in)
		}
		return fmt.Errorf("unknown key %s%s: see the daemon.json keys in ctr-lite's README", k, where)
	}
	return err
}

func article(what string) string {
	if strings.IndexByte("aeiou", what[0]) >= 0 {
		return "an " + what
	}
	return "a " + what
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(typeName(t.Elem()), "an "), "a ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return typeName(t.Elem())
	}
	return t.String()
}

// check is what decoding cannot: values that parse, runtimes that exist.
func (c *Config) check() error {
	for _, p := range []struct{ key, v string }{{"data-root", c.DataRoot}, {"exec-root", c.ExecRoot}} {
		if p.v != "" && !filepath.IsAbs(p.v) {
			return fmt.Errorf("key %q: %q is not an absolute path", p.key, p.v)
		}
	}
	switch strings.ToLower(c.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("key \"log-level\": %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.DefaultIpcMode {
	case "", "private", "shareable":
	default:
		return fmt.Errorf("key \"default-ipc-mode\": %q: want private or shareable", c.DefaultIpcMode)
	}
	if err := c.checkRuntimes(); err != nil {
		return err
	}
	if _, err := c.DefaultSubnet(); err != nil {
		return err
	}
	if err := c.checkUlimits(); err != nil {
		return err
	}
	for _, s := range c.DNS {
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Errorf("key \"dns\": %q is not an IP address", s)
		}
	}
	if c.DefaultShmSize != "" {
		n, err := units.RAMInBytes(c.DefaultShmSize)
		if err != nil || n <= 0 {
			return fmt.Errorf("key \"default-shm-size\": %q is not a size, such as 64M", c.DefaultShmSize)
		}
		c.shmSize = n
	}
	for _, l := range c.Labels {
		if k, _, ok := strings.Cut(l, "="); !ok || k == "" {
			return fmt.Errorf("key \"labels\": %q: want KEY=VALUE", l)
		}
	}
	return nil
}

func (c *Config) checkRuntimes() error {
	for name, r := range c.Runtimes {
		switch {
		case name == "runc":
			return errors.New(`key "runtimes": the name "runc" is reserved for ctr-lite's own runc`)
		case r.Path == "":
			return fmt.Errorf("key \"runtimes\": runtime %q has no \"path\"", name)
		case len(r.RuntimeArgs) > 0:
			return fmt.Errorf("key \"runtimes\": runtime %q: \"runtimeArgs\" is not supported; point \"path\" at a script that adds them", name)
		}
	}
	if d := c.DefaultRuntime; d != "" && d != "runc" {
		if _, ok := c.Runtimes[d]; !ok {
			return fmt.Errorf("key \"default-runtime\": %q is neither runc nor a key of \"runtimes\"", d)
		}
	}
	return nil
}

// checkUlimits takes docker's form, {"nofile": {"Name": "nofile", "Soft":
// 1024, "Hard": 2048}}; Name may be left out, but must match its key.
func (c *Config) checkUlimits() error {
	for k, u := range c.DefaultUlimits {
		if u == nil {
			return fmt.Errorf("key \"default-ulimits\": %q is null, want {\"Name\": %q, \"Soft\": N, \"Hard\": N}", k, k)
		}
		if u.Name == "" {
			u.Name = k
		}
		if u.Name != k {
			return fmt.Errorf("key \"default-ulimits\": entry %q has Name %q: they must match", k, u.Name)
		}
		if _, err := u.GetRlimit(); err != nil {
			return fmt.Errorf("key \"default-ulimits\": %q: %w", k, err)
		}
		if u.Soft < -1 || u.Hard < -1 || (u.Hard != -1 && (u.Soft == -1 || u.Soft > u.Hard)) {
			return fmt.Errorf("key \"default-ulimits\": %q: Soft %d and Hard %d: want numbers (-1 unlimited), Soft not above Hard", k, u.Soft, u.Hard)
		}
	}
	return nil
}

// DefaultSubnet is the subnet of "bip" (ctr-lite's --default-subnet), ""
// without it. ctr-lite's default bridge takes its subnet's first address,
// so a bip naming another is refused rather than moved.
func (c *Config) DefaultSubnet() (string, error) {
	if c.Bip == "" {
		return "", nil
	}
	p, err := netip.ParsePrefix(c.Bip)
	if err != nil || !p.Addr().Is4() {
		return "", fmt.Errorf("key \"bip\": %q: want the bridge's IPv4 address and prefix, such as 10.88.0.1/16", c.Bip)
	}
	if first := p.Masked().Addr().Next(); p.Addr() != first {
		return "", fmt.Errorf("key \"bip\": %q: ctr-lite's bridge has its subnet's first address; use %s/%d", c.Bip, first, p.Bits())
	}
	return p.Masked().String(), nil
}
