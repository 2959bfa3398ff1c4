package registry

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// DefaultConfigFile lists registries to reach without TLS checks:
// {"insecure-registries": ["host:port", ...]}, as in docker's daemon.json.
const DefaultConfigFile = "/etc/ctr-lite/registries.json"

// Options are the settings of one registry operation.
type Options struct {
	// NoTLSVerify allows plain HTTP and unverified certificates for every
	// registry (--tls-verify=false).
	NoTLSVerify bool
	// Insecure lists registries treated as if TLSVerify were false.
	Insecure []string
	// Platform chooses the image of a multi-platform index; nil is the
	// host's platform.
	Platform *v1.Platform
	// Keychain finds credentials; nil is the docker config and helpers.
	Keychain authn.Keychain
	// Progress receives per-layer progress; nil reports nothing.
	Progress Progress
	// Transport is the HTTP transport to wrap; nil is a fresh default.
	Transport http.RoundTripper
}

// LoadInsecure reads the insecure-registries list from path; a missing
// file is an empty list.
func LoadInsecure(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read registry config: %w", err)
	}
	var cfg struct {
		Insecure []string `json:"insecure-registries"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("read registry config %q: %w", path, err)
	}
	return cfg.Insecure, nil
}

// insecureFor reports whether registry host may be reached without TLS.
func (o Options) insecureFor(host string) bool {
	return o.NoTLSVerify || slices.Contains(o.Insecure, host)
}

// parse parses s with the insecure flag its registry calls for.
func (o Options) parse(s string) (name.Reference, error) {
	ref, err := ParseReference(s, false)
	if err != nil || !o.insecureFor(ref.Context().RegistryStr()) {
		return ref, err
	}
	return ParseReference(s, true)
}

// remote returns go-containerregistry options for talking to reg.
func (o Options) remote(ctx context.Context, reg name.Registry) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(o.keychain()),
		remote.WithTransport(o.transport(reg)),
		remote.WithUserAgent("ctr-lite"),
		remote.WithJobs(4),
		// A short retry: a registry that is down should fail in seconds.
		remote.WithRetryBackoff(remote.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Steps: 3}),
	}
}

// keychain finds credentials: the one given, else docker's config and
// credential helpers.
func (o Options) keychain() authn.Keychain {
	if o.Keychain != nil {
		return o.Keychain
	}
	return authn.DefaultKeychain
}

// transport is the HTTP transport for reg: certificates go unchecked only
// for registries marked insecure.
func (o Options) transport(reg name.Registry) http.RoundTripper {
	if o.Transport != nil {
		return o.Transport
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if o.insecureFor(reg.RegistryStr()) {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by --tls-verify=false or the config
	}
	return t
}

// HostPlatform is the platform images are chosen for by default.
func HostPlatform() v1.Platform {
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm" {
		p.Variant = "v7"
	}
	return p
}

// ParsePlatform parses "os/arch[/variant]".
func ParsePlatform(s string) (*v1.Platform, error) {
	p, err := v1.ParsePlatform(s)
	if err != nil || p.OS == "" || p.Architecture == "" || strings.Count(s, "/") > 2 {
		return nil, fmt.Errorf("invalid platform %q: want OS/ARCH[/VARIANT], e.g. linux/arm64", s)
	}
	return p, nil
}
