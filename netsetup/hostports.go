package netsetup

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// ErrPortInUse is returned (wrapped) when a host port is taken.
var ErrPortInUse = errors.New("address already in use")

// ReservePorts claims each mapping's host port for h's container: a free
// port is chosen for HostPort 0 (-P); a port that another container holds,
// or that a host process has bound, fails with ErrPortInUse. Reservations
// live under the runroot (cleared at boot). The caller holds the global
// lock; on error nothing stays reserved.
func ReservePorts(runroot string, h Holder, ports []PortMapping, alive func(Holder) bool) (retErr error) {
	dir := filepath.Join(runroot, "ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	defer func() {
		if retErr != nil {
			ReleasePorts(runroot, h.ID, ports)
		}
	}()
	for i := range ports {
		p := &ports[i]
		if p.HostPort == 0 {
			port, err := freePort(p.Proto)
			if err != nil {
				return err
			}
			p.HostPort = port
		}
		if !claim(portLease(dir, *p), h, alive) {
			return fmt.Errorf("bind for %s:%d failed: port is already published by another container: %w", hostIPOrAny(p.HostIP), p.HostPort, ErrPortInUse)
		}
		if err := probeBind(*p); err != nil {
			return err
		}
	}
	return nil
}

// ReleasePorts frees id's reservations; it is idempotent.
func ReleasePorts(runroot, id string, ports []PortMapping) {
	dir := filepath.Join(runroot, "ports")
	for _, p := range ports {
		if p.HostPort != 0 {
			unclaim(portLease(dir, p), id)
		}
	}
}

func portLease(dir string, p PortMapping) string {
	return filepath.Join(dir, p.Proto+"-"+strconv.Itoa(int(p.HostPort)))
}

func hostIPOrAny(ip string) string {
	if ip == "" {
		return "0.0.0.0"
	}
	return ip
}

// probeBind checks that no host process holds the port: with no proxy
// process, a DNAT'd port would silently shadow it.
func probeBind(p PortMapping) error {
	addr := net.JoinHostPort(p.HostIP, strconv.Itoa(int(p.HostPort)))
	var err error
	if p.Proto == "udp" {
		var c net.PacketConn
		if c, err = net.ListenPacket("udp4", addr); err == nil {
			c.Close()
		}
	} else {
		var l net.Listener
		if l, err = net.Listen("tcp4", addr); err == nil {
			l.Close()
		}
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("bind for %s:%d failed: %w", hostIPOrAny(p.HostIP), p.HostPort, ErrPortInUse)
	}
	return err
}

func freePort(proto string) (uint16, error) {
	if proto == "udp" {
		c, err := net.ListenPacket("udp4", ":0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
	}
	l, err := net.Listen("tcp4", ":0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

// ReleaseHolderPorts frees every host port container id holds, recorded
// or not (a start that died before recording its ports).
func ReleaseHolderPorts(runroot, id string) {
	dir := filepath.Join(runroot, "ports")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		unclaim(filepath.Join(dir, e.Name()), id)
	}
}
