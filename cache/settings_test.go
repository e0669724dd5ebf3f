package cache

import (
	"testing"
	"time"
)

func TestPresets(t *testing.T) {
	want := map[string][2]any{"aggressive": {10_000, 2 * time.Hour}, "production": {1_000, time.Hour}, "edge": {100, 10 * time.Minute}, "minimal": {10, time.Minute}}
	for name, w := range want {
		c, err := Preset(name)
		if err != nil || !c.Enabled || c.MaxSize != w[0].(int) || c.TTL != w[1].(time.Duration) {
			t.Errorf("%s: %+v %v", name, c, err)
		}
	}
	if c, err := Preset("disabled"); err != nil || c.Enabled {
		t.Errorf("disabled: %+v %v", c, err)
	}
}
