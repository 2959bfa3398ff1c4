package opts

import (
	"strings"
	"testing"

	"github.com/ctr-lite/ctr-lite/state"
)

func TestNetworksRepeated(t *testing.T) {
	hc := &state.HostConfig{NetworkMode: "bridge"}
	v := Networks(hc)
	for _, s := range []string{"front", "back", "side"} {
		if err := v.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	if hc.NetworkMode != "front" || len(hc.Networks) != 2 || hc.Networks[0].Name != "back" || hc.Networks[1].Name != "side" {
		t.Fatalf("mode %q, networks %+v", hc.NetworkMode, hc.Networks)
	}
	if err := v.Set("back"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a repeat: %v", err)
	}
	for _, first := range []string{"host", "none", "bridge", "container:x"} {
		hc := &state.HostConfig{}
		v := Networks(hc)
		v.Set(first)
		if err := v.Set("front"); err == nil {
			t.Errorf("%s then front: accepted", first)
		}
	}
	hc = &state.HostConfig{}
	v = Networks(hc)
	v.Set("front")
	if err := v.Set("host"); err == nil {
		t.Error("front then host: accepted")
	}
}
