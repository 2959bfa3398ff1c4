package netsetup

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Network modes.
const (
	ModeNone = "none"
	ModeHost = "host"
)

// ValidateMode checks the form of a --network value: none, host, bridge,
// container:NAME, or a network name (checked against the store later).
func ValidateMode(mode string) error {
	if target, ok := strings.CutPrefix(mode, ModeContainer); ok {
		if target == "" {
			return fmt.Errorf("invalid network %q: want container:NAME-OR-ID", mode)
		}
		return nil
	}
	if mode == "" {
		return fmt.Errorf("empty network mode: use bridge, none, host, container:NAME or a network name")
	}
	return nil
}

// IsBridged reports whether a mode gives the container its own address on
// a bridge: the default network or a named one.
func IsBridged(mode string) bool {
	return mode != ModeNone && mode != ModeHost && !strings.HasPrefix(mode, ModeContainer)
}

// HostGateway is docker's --add-host value for the host: the gateway
// address of the container's network (docker's default host-gateway-ip,
// the bridge's address).
const HostGateway = "host-gateway"

// ParseExtraHosts parses --add-host NAME:IP and docker's NAME=IP values (an
// IPv6 address may be in brackets). host-gateway becomes gateway; with no
// gateway (a container without a bridge yet) such entries are left out.
func ParseExtraHosts(values []string, gateway string) ([]HostEntry, error) {
	var out []HostEntry
	for _, v := range values {
		name, ip, ok := strings.Cut(v, "=")
		if !ok {
			name, ip, ok = strings.Cut(v, ":")
		}
		ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
		if ip == HostGateway {
			if name == "" {
				return nil, fmt.Errorf("invalid --add-host %q: want NAME:IP or NAME:host-gateway", v)
			}
			if gateway != "" {
				out = append(out, HostEntry{IP: gateway, Names: []string{name}})
			}
			continue
		}
		if _, err := netip.ParseAddr(ip); !ok || name == "" || err != nil {
			return nil, fmt.Errorf("invalid --add-host %q: want NAME:IP or NAME:host-gateway", v)
		}
		out = append(out, HostEntry{IP: ip, Names: []string{name}})
	}
	return out, nil
}

// UpdateInPlace rewrites a name file (a container's /etc/hosts) with what
// build returns, keeping its inode, under an exclusive flock on the file.
//
// Why in place, and not state.WriteFileAtomic's rename: a running
// container's /etc/hosts is a bind mount of this file, and a rename would
// leave the container looking at the old inode forever. Docker's
// libnetwork also rewrites the sandbox's hosts file in place, under a
// lock (a mutex in its one daemon; ctr-lite's writers are separate
// processes, hence a flock). Two rules make that safe:
//   - build runs inside the lock, so each writer computes from the latest
//     leases and the last writer's view holds every peer: no update lost;
//   - the new content is written over the old from offset 0 and only then
//     truncated to its length, never O_TRUNC first, so a reader sees the
//     old or the new file (at worst new lines followed by an old tail),
//     never an empty one.
func UpdateInPlace(path string, build func() []byte) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open %q: %w", path, err)
	}
	defer f.Close() // closing drops the lock
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("lock %q: %w", path, err)
	}
	data := build()
	if _, err := f.WriteAt(data, 0); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

// hostsHeader is docker's /etc/hosts preamble.
const hostsHeader = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::	ip6-localnet
ff00::	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
`

// HostEntry is one extra /etc/hosts line.
type HostEntry struct {
	IP    string
	Names []string
}

// BuildHosts returns /etc/hosts: the localhost lines, then entries.
func BuildHosts(entries []HostEntry) []byte {
	var b bytes.Buffer
	b.WriteString(hostsHeader)
	for _, e := range entries {
		fmt.Fprintf(&b, "%s\t%s\n", e.IP, strings.Join(e.Names, " "))
	}
	return b.Bytes()
}

// ResolvOptions override parts of the host's resolv.conf.
type ResolvOptions struct {
	Nameservers []string
	Search      []string
	Options     []string
}

// defaultNameservers are docker's fallback when the host has only
// loopback resolvers, which a container's own namespace cannot reach.
var defaultNameservers = []string{"8.8.8.8", "8.8.4.4"}

// BuildResolvConf derives a container's resolv.conf from the host's (which
// may be empty): loopback nameservers are dropped, as docker's
// FilterResolvDNS does, and opts replace what they set.
func BuildResolvConf(host []byte, opts ResolvOptions) []byte {
	var servers, search, options, other []string
	sc := bufio.NewScanner(bytes.NewReader(host))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], ";") {
			continue
		}
		switch fields[0] {
		case "nameserver":
			if len(fields) > 1 && !isLoopback(fields[1]) {
				servers = append(servers, fields[1])
			}
		case "search", "domain":
			search = fields[1:]
		case "options":
			options = append(options, fields[1:]...)
		default:
			other = append(other, sc.Text())
		}
	}
	if len(opts.Nameservers) > 0 {
		servers = opts.Nameservers
	}
	if len(servers) == 0 {
		servers = defaultNameservers
	}
	if len(opts.Search) > 0 {
		search = opts.Search
	}
	if len(opts.Options) > 0 {
		options = opts.Options
	}
	return formatResolv(servers, search, options, other)
}

func formatResolv(servers, search, options, other []string) []byte {
	var b bytes.Buffer
	for _, l := range other {
		b.WriteString(l + "\n")
	}
	if len(search) > 0 {
		b.WriteString("search " + strings.Join(search, " ") + "\n")
	}
	for _, s := range servers {
		b.WriteString("nameserver " + s + "\n")
	}
	if len(options) > 0 {
		b.WriteString("options " + strings.Join(options, " ") + "\n")
	}
	return b.Bytes()
}

func isLoopback(s string) bool {
	addr, err := netip.ParseAddr(strings.SplitN(s, "%", 2)[0])
	return err == nil && addr.IsLoopback()
}
