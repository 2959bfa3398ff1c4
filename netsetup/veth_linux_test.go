package netsetup

import (
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// inThrowawayNetNS runs f on a locked thread inside a new network
// namespace, so the links it makes never touch the host's.
func inThrowawayNetNS(t *testing.T, f func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	tmp, err := netns.New() // also enters it
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	defer netns.Set(orig)
	f()
}

// attachFixture makes a bridge and a container namespace for Attach in
// the current (throwaway) namespace.
func attachFixture(t *testing.T) (*Network, string) {
	t.Helper()
	n, _ := NewNetwork("vtest", "10.252.10.0/24", "", "ctrlite-vt")
	if err := EnsureBridge(held(t), n, testOwner); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ns")
	if err := CreateNetNS(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { DeleteNetNS(p) })
	return n, p
}

const vethTestID = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

// A link of another type (a bridge) holding the host end's name is not ctr-lite's:
// Attach must leave it and say what clashed (main deleted it).
func TestAttachRefusesForeignLinkByName(t *testing.T) {
	needRoot(t)
	inThrowawayNetNS(t, func() {
		n, p := attachFixture(t)
		defer DeleteBridge(n, testOwner)
		foreign := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: HostVethName(vethTestID)}}
		if err := netlink.LinkAdd(foreign); err != nil {
			t.Fatal(err)
		}
		_, err := Attach(n, p, vethTestID, netip.MustParseAddr("10.252.10.5"), netip.Addr{}, nil)
		if err == nil || !strings.Contains(err.Error(), "bridge link") || !strings.Contains(err.Error(), "file exists") {
			t.Fatalf("want the clash with the bridge link named, got %v", err)
		}
		if l, err := netlink.LinkByName(foreign.Name); err != nil || l.Type() != "bridge" {
			t.Fatalf("the foreign link was touched: %v", err)
		}
	})
}

// A clash inside the namespace (eth0 already there) must surface as that
// error, not as a later "Link not found" (main discarded LinkAdd's error).
func TestAttachReportsLinkAddError(t *testing.T) {
	needRoot(t)
	inThrowawayNetNS(t, func() {
		n, p := attachFixture(t)
		defer DeleteBridge(n, testOwner)
		h, _ := netns.GetFromPath(p)
		defer h.Close()
		nh, err := netlink.NewHandleAt(h)
		if err != nil {
			t.Fatal(err)
		}
		defer nh.Close()
		if err := nh.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "eth0"}}); err != nil {
			t.Fatal(err)
		}
		_, err = Attach(n, p, vethTestID, netip.MustParseAddr("10.252.10.6"), netip.Addr{}, nil)
		if err == nil || !strings.Contains(err.Error(), "file exists") || strings.Contains(err.Error(), "not found") {
			t.Fatalf("want LinkAdd's real error, got %v", err)
		}
		if _, err := netlink.LinkByName(HostVethName(vethTestID)); err == nil {
			t.Fatal("a host end was left")
		}
	})
}

// A stale veth of this container (same name) is replaced, and the new
// pair, not the old one, is what gets plugged in.
func TestAttachReplacesStaleVeth(t *testing.T) {
	needRoot(t)
	inThrowawayNetNS(t, func() {
		n, p := attachFixture(t)
		defer DeleteBridge(n, testOwner)
		stale := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: HostVethName(vethTestID)}, PeerName: "stalepeer"}
		if err := netlink.LinkAdd(stale); err != nil {
			t.Fatal(err)
		}
		old, _ := netlink.LinkByName(stale.Name)
		if _, err := Attach(n, p, vethTestID, netip.MustParseAddr("10.252.10.7"), netip.Addr{}, nil); err != nil {
			t.Fatal(err)
		}
		now, err := netlink.LinkByName(stale.Name)
		if err != nil || now.Attrs().Index == old.Attrs().Index || now.Attrs().MasterIndex == 0 {
			t.Fatalf("stale veth not replaced: %v", err)
		}
		if _, err := netlink.LinkByName("stalepeer"); err == nil {
			t.Fatal("the stale pair's peer is still there")
		}
	})
}

// testOwner marks the bridges the tests make.
const testOwner = "ctr-lite root /netsetup-test"
