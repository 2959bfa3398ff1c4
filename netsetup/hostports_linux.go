package netsetup

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrPortInUse is returned (wrapped) when a host port is taken.
var ErrPortInUse = errors.New("address already in use")

// HostPortsDir is where published host ports are leased. It is host-wide,
// not under a root: a host port is the host's whichever ctr-lite root
// publishes it, and two roots must not both DNAT it. It is under /run, so
// a reboot clears it with the rules it stands for. (Docker reserves the
// port by binding it in a userland proxy; ctr-lite has no long-lived
// process to hold a socket, so a lease file names the holder instead.)
const HostPortsDir = "/run/ctr-lite/ports"

// anyIP is how a binding to every host address is named in a lease.
const anyIP = "0.0.0.0"

// A host port lease is a lease file (lease.go) at DIR/<proto>-<port>/<ip>.
// Bindings of one port to two host IPs do not clash; a binding to 0.0.0.0
// clashes with any binding of the port. DIR/.lock serialises every claim
// and release across roots (each root's global lock guards only its own).

// ReservePorts claims each mapping's host port for h's container: a free
// port is chosen for HostPort 0 (-P); a port another live container holds
// (of any root), or that a host process has bound, fails with
// ErrPortInUse. A stale lease is taken over only after stale has deleted
// its dead holder's rules (their DNAT would come first and win). On error
// nothing stays reserved.
func ReservePorts(dir string, h Holder, ports []PortMapping, alive func(Holder) bool, stale Stale) (retErr error) {
	unlock, err := lockHostPorts(dir)
	if err != nil {
		return err
	}
	defer unlock()
	defer func() {
		if retErr != nil {
			releasePorts(dir, h, ports)
		}
	}()
	for i := range ports {
		if err := reservePort(dir, h, &ports[i], alive, stale); err != nil {
			return err
		}
	}
	return nil
}

// reservePort claims one mapping; for HostPort 0 it tries a few free
// ports, as a free one can still be another container's (a DNAT'd port
// has no socket for the kernel to see).
func reservePort(dir string, h Holder, p *PortMapping, alive func(Holder) bool, stale Stale) error {
	if p.HostPort != 0 {
		if err := claimHostPort(dir, h, *p, alive, stale); err != nil {
			return err
		}
		return probeBind(*p)
	}
	var err error
	for range 10 {
		if p.HostPort, err = freePort(p.Proto); err != nil {
			return fmt.Errorf("choose a free %s host port: %w", p.Proto, err)
		}
		if err = claimHostPort(dir, h, *p, alive, stale); err == nil {
			return probeBind(*p)
		}
	}
	return err
}

// claimHostPort takes p's lease unless a live holder other than h's
// container has the same port on an overlapping address; stale leases of
// the port are removed on the way, their holders' rules first.
func claimHostPort(dir string, h Holder, p PortMapping, alive func(Holder) bool, stale Stale) error {
	pd := portDir(dir, p)
	if err := os.MkdirAll(pd, 0o700); err != nil {
		return fmt.Errorf("reserve host port: %w", err)
	}
	ip := HostIPOrAny(p.HostIP)
	entries, err := os.ReadDir(pd)
	if err != nil {
		return fmt.Errorf("reserve host port: %w", err)
	}
	for _, e := range entries {
		if e.Name() != ip && e.Name() != anyIP && ip != anyIP {
			continue // another address of the host: no clash
		}
		held, err := readLease(filepath.Join(pd, e.Name()))
		if err != nil || held.same(h) {
			continue
		}
		if alive(held) {
			return portInUse(p, held)
		}
		if err := stale.drop(held); err != nil {
			return fmt.Errorf("take over the stale lease of host port %s:%d/%s: %w", e.Name(), p.HostPort, p.Proto, err)
		}
		os.Remove(filepath.Join(pd, e.Name()))
	}
	ok, err := claim(filepath.Join(pd, ip), h, alive, stale)
	if err != nil {
		return fmt.Errorf("take over the stale lease of host port %s:%d/%s: %w", ip, p.HostPort, p.Proto, err)
	}
	if !ok {
		return portInUse(p, Holder{})
	}
	return nil
}

func portInUse(p PortMapping, held Holder) error {
	by := "another container"
	if held.ID != "" {
		by = "container " + held.ID[:min(12, len(held.ID))]
		if held.Root != "" {
			by += " of root " + held.Root
		}
	}
	return fmt.Errorf("bind for %s:%d/%s failed: port is already published by %s: %w", HostIPOrAny(p.HostIP), p.HostPort, p.Proto, by, ErrPortInUse)
}

// ReleasePorts frees h's container's reservations; it is idempotent.
func ReleasePorts(dir string, h Holder, ports []PortMapping) {
	unlock, err := lockHostPorts(dir)
	if err != nil {
		return
	}
	defer unlock()
	releasePorts(dir, h, ports)
}

func releasePorts(dir string, h Holder, ports []PortMapping) {
	for _, p := range ports {
		if p.HostPort != 0 {
			unclaim(filepath.Join(portDir(dir, p), HostIPOrAny(p.HostIP)), h)
			os.Remove(portDir(dir, p)) // only if empty
		}
	}
}

// ReleaseHolderPorts frees every host port h's container holds, recorded
// or not (a start that died before recording its ports).
func ReleaseHolderPorts(dir string, h Holder) {
	unlock, err := lockHostPorts(dir)
	if err != nil {
		return
	}
	defer unlock()
	ports, _ := os.ReadDir(dir)
	for _, pe := range ports {
		if !pe.IsDir() {
			continue
		}
		pd := filepath.Join(dir, pe.Name())
		ips, _ := os.ReadDir(pd)
		for _, e := range ips {
			unclaim(filepath.Join(pd, e.Name()), h)
		}
		os.Remove(pd)
	}
}

func portDir(dir string, p PortMapping) string {
	return filepath.Join(dir, p.Proto+"-"+strconv.Itoa(int(p.HostPort)))
}

// lockHostPorts takes the host-wide lock over dir; the returned func
// releases it.
func lockHostPorts(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("host port leases: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("host port leases: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock host port leases: %w", err)
	}
	return func() { f.Close() }, nil
}

// HostIPOrAny is a binding's host IP as docker shows it: 0.0.0.0 for all.
func HostIPOrAny(ip string) string {
	if ip == "" {
		return anyIP
	}
	return ip
}

// probeBind checks that no host process holds the port: with no proxy
// process, a DNAT'd port would silently shadow it.
func probeBind(p PortMapping) error {
	addr := net.JoinHostPort(p.HostIP, strconv.Itoa(int(p.HostPort)))
	var err error
	switch p.Proto {
	case "udp":
		var c net.PacketConn
		if c, err = net.ListenPacket("udp4", addr); err == nil {
			c.Close()
		}
	case "sctp":
		_, err = bindSCTP(p.HostIP, p.HostPort)
	default:
		var l net.Listener
		if l, err = net.Listen("tcp4", addr); err == nil {
			l.Close()
		}
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("bind for %s:%d/%s failed: %w", HostIPOrAny(p.HostIP), p.HostPort, p.Proto, ErrPortInUse)
	}
	return err
}

// bindSCTP binds an SCTP socket to ip:port and closes it, returning the
// port bound. A kernel without SCTP sockets has no process that could
// hold the port: that counts as free, with port echoed back.
func bindSCTP(ip string, port uint16) (uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_SCTP)
	if errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.ESOCKTNOSUPPORT) || errors.Is(err, unix.EAFNOSUPPORT) {
		return port, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sctp socket: %w", err)
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrInet4{Port: int(port)}
	if ip != "" {
		sa.Addr = [4]byte(net.ParseIP(ip).To4())
	}
	if err := unix.Bind(fd, sa); err != nil {
		return 0, fmt.Errorf("bind sctp %s:%d: %w", HostIPOrAny(ip), port, err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		return 0, err
	}
	return uint16(got.(*unix.SockaddrInet4).Port), nil
}

// freePort asks the kernel for a free ephemeral port of proto. Without
// SCTP sockets, a port free for TCP stands in: no SCTP socket can hold it.
func freePort(proto string) (uint16, error) {
	switch proto {
	case "udp":
		c, err := net.ListenPacket("udp4", ":0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
	case "sctp":
		if port, err := bindSCTP("", 0); err != nil || port != 0 {
			return port, err
		}
	}
	l, err := net.Listen("tcp4", ":0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}
