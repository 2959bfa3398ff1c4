package netsetup

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/ctr-lite/ctr-lite/reexec"
)

// TestMain dispatches the netns helper: CreateNetNS re-executes this test
// binary, which must run the helper, not the tests.
func TestMain(m *testing.M) {
	if reexec.Init() {
		return
	}
	os.Exit(m.Run())
}

func needRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root: creates network namespaces and links")
	}
}

func TestNetNSCreateDelete(t *testing.T) {
	needRoot(t)
	p := filepath.Join(t.TempDir(), "ns")
	if err := CreateNetNS(p); err != nil {
		t.Fatal(err)
	}
	created, err := ns.GetNS(p)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := ns.GetCurrentNS()
	var inside, outside unix.Stat_t
	unix.Fstat(int(created.Fd()), &inside)
	unix.Fstat(int(self.Fd()), &outside)
	if inside.Ino == outside.Ino {
		t.Fatal("the namespace must be a new one")
	}
	created.Close()
	self.Close()
	if err := CreateNetNS(p); err == nil {
		t.Fatal("creating over an existing namespace file must fail")
	}
	if err := DeleteNetNS(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("netns file left")
	}
	if err := DeleteNetNS(p); err != nil {
		t.Fatal("delete must be idempotent:", err)
	}
}

func TestAttachDetach(t *testing.T) {
	needRoot(t)
	n, _ := NewNetwork("itest", "10.252.9.0/24", "", "ctrlite-it9")
	if err := EnsureBridge(held(t), n, testOwner); err != nil {
		t.Fatal(err)
	}
	defer DeleteBridge(n, testOwner)
	p := filepath.Join(t.TempDir(), "ns")
	if err := CreateNetNS(p); err != nil {
		t.Fatal(err)
	}
	defer DeleteNetNS(p)
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	ep, err := Attach(n, p, id, netip.MustParseAddr("10.252.9.5"), netip.Addr{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ep.MAC != "02:42:0a:fc:09:05" {
		t.Errorf("MAC %s", ep.MAC)
	}
	handle, _ := netns.GetFromPath(p)
	defer handle.Close()
	h, _ := netlink.NewHandleAt(handle)
	defer h.Close()
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	addrs, _ := h.AddrList(eth0, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != "10.252.9.5/24" {
		t.Errorf("addresses %v", addrs)
	}
	routes, _ := h.RouteList(eth0, netlink.FAMILY_V4)
	var gw string
	for _, r := range routes {
		if r.Gw != nil {
			gw = r.Gw.String()
		}
	}
	if gw != "10.252.9.1" {
		t.Errorf("default route via %q", gw)
	}
	host, err := netlink.LinkByName(HostVethName(id))
	if err != nil || host.Attrs().MasterIndex == 0 {
		t.Fatalf("host end not on the bridge: %v", err)
	}
	if err := Detach(id); err != nil {
		t.Fatal(err)
	}
	if err := Detach(id); err != nil {
		t.Fatal("detach must be idempotent")
	}
}
