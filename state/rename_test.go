package state

import (
	"context"
	"errors"
	"testing"
)

// Rename's steps: between AddName and DropName a container answers to
// both names, so a crash at any step leaves it found by one of them.
func TestAddNameDropName(t *testing.T) {
	s := newStore(t)
	id, _, err := reserve(s, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(&Container{ID: id, Name: "old"}, false); err != nil {
		t.Fatal(err)
	}
	other, _, err := reserve(s, "taken")
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.GlobalLock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Unlock()
	var inUse *NameInUseError
	if err := s.AddName(g, "taken", id, true); !errors.As(err, &inUse) || inUse.ID != other {
		t.Fatalf("want name in use by %s, got %v", other, err)
	}
	if err := s.AddName(g, "bad name", id, true); err == nil {
		t.Fatal("an invalid name must be refused")
	}
	if err := s.AddName(g, "new", id, true); err != nil {
		t.Fatal(err)
	}
	if err := s.AddName(g, "new", id, true); err != nil {
		t.Fatal("a name already the container's must be kept:", err)
	}
	for _, ref := range []string{"old", "new"} {
		if got, err := s.Resolve(ref); err != nil || got != id {
			t.Fatalf("resolve %s mid-rename: %s, %v", ref, got, err)
		}
	}
	if err := s.DropName("taken", id); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Resolve("taken"); got != other {
		t.Fatal("DropName removed another container's name")
	}
	if err := s.Save(&Container{ID: id, Name: "new"}, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DropName("old", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve("old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old name must be gone, got %v", err)
	}
}
