package probeout

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	out := "noise before\n@@ getent p620\n127.0.10.1\n\n@@ empty\n@@ dig 127.0.0.53 nixos.org\nNOERROR 1.2.3.4\n@@\nnot a header: kept in dig's body\n"
	got, err := Split(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Section{
		{Name: "getent", Args: []string{"p620"}, Body: []string{"127.0.10.1", ""}},
		{Name: "empty", Args: []string{}},
		{Name: "dig", Args: []string{"127.0.0.53", "nixos.org"}, Body: []string{"NOERROR 1.2.3.4", "@@", "not a header: kept in dig's body"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Split = %#v\nwant    %#v", got, want)
	}
}
