package main

import (
	"testing"

	"github.com/nixos-hub/hub/internal/baseline"
)

func TestApplyFloors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []string
		want    float64
		wantErr bool
	}{
		{"override", []string{"cpu_utilisation_ratio=0.2"}, 0.2, false},
		{"default kept", nil, 0.05, false},
		{"unknown metric", []string{"nope=1"}, 0, true},
		{"negative", []string{"cpu_utilisation_ratio=-1"}, 0, true},
		{"no value", []string{"cpu_utilisation_ratio"}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			specs := append([]baseline.Spec(nil), baseline.HostSpecs...)
			err := applyFloors(specs, tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil && specs[0].Floor != tc.want {
				t.Errorf("floor %v, want %v", specs[0].Floor, tc.want)
			}
		})
	}
}
