package netsetup

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestReleaseRemovesDamagedLease(t *testing.T) {
	for _, content := range []string{"", "c1 12", "\xff\x00not a lease"} {
		s, n := testNetwork(t, "10.9.0.0/24")
		a, _ := s.Allocate(held(t), n, Holder{ID: "c1", PID: 1}, netip.Addr{}, everyoneAlive, nil)
		p := filepath.Join(s.leaseDir(n.Name), a.String())
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(held(t), n.Name, a, "c1"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p); err == nil {
			t.Errorf("damaged lease %q survived its container's release", content)
		}
	}
}
