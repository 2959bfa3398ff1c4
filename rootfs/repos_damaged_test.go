package rootfs

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestDamagedRepositoriesKeepsImagesByID(t *testing.T) {
	s := vfsStore(t)
	var warned []string
	s.Warn = func(m string) { warned = append(warned, m) }
	ctx := context.Background()
	if _, err := s.Load(ctx, archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1"))}, nil, nil)); err != nil {
		t.Fatal(err)
	}
	img, err := s.Lookup("app:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.reposPath(), []byte(`{"app:1":"sha`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(strings.TrimPrefix(img.ID, "sha256:")[:12]); err != nil {
		t.Fatalf("lookup by ID with a damaged index: %v", err)
	}
	if len(warned) == 0 {
		t.Error("no warning said the index was damaged")
	}
	if _, err := s.Load(ctx, archive(t, "app:1", [][]byte{rawLayer(t, reg("a", "1"))}, nil, nil)); err != nil {
		t.Fatalf("load over a damaged index: %v", err)
	}
	if _, err := s.Lookup("app:1"); err != nil {
		t.Fatalf("the next load must write a sound index: %v", err)
	}
}
