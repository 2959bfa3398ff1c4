package lifecycle

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ctr-lite/ctr-lite/specgen"
)

func TestAddGroups(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nextra:x:2000:\nwheel:x:10:root\n"), 0o644)
	u := specgen.User{AdditionalGids: []uint32{10}}
	if err := addGroups(root, &u, []string{"extra", "4242", "wheel"}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u.AdditionalGids, []uint32{10, 2000, 4242}) {
		t.Errorf("gids %v", u.AdditionalGids)
	}
	if err := addGroups(root, &u, []string{"nosuch"}); err == nil {
		t.Error("unknown group name: want error")
	}
}
