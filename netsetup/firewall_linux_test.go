package netsetup

import (
	"testing"

	"github.com/google/nftables"
)

// A table whose hook chain (and so its jump) was deleted is repaired, not
// trusted because the table exists (review 2a #14).
func TestEnsureTableRepairsMissingChain(t *testing.T) {
	needRoot(t)
	n, _ := NewNetwork("itest", "10.252.11.0/24", "", "ctrlite-it11")
	if err := EnsureBridge(held(t), n, testOwner); err != nil {
		t.Fatal(err)
	}
	defer DeleteBridge(n, testOwner)
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	pre := &nftables.Chain{Name: "prerouting", Table: table}
	c.FlushChain(pre)
	c.DelChain(pre)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := ensureTable(c); err != nil {
		t.Fatal(err)
	}
	rules, err := c.GetRules(table, pre)
	if err != nil || len(rules) != 1 || !hasJump(c, pre) {
		t.Fatalf("prerouting not repaired: %d rules, %v", len(rules), err)
	}
	out := &nftables.Chain{Name: "output", Table: table}
	if rules, _ := c.GetRules(table, out); len(rules) != 1 {
		t.Fatalf("output has %d rules, want its one jump", len(rules))
	}
}
