package targetdocs

import "testing"

func TestCheckArgs(t *testing.T) {
	ts := []Target{
		{Name: "hosts:exec", Args: "SELECTION CMDLINE [-limit] [-json]", Params: []Param{
			{Name: "SELECTION", Type: "string"}, {Name: "CMDLINE", Type: "string"},
			{Name: "-limit", Type: "int"}, {Name: "-json", Type: "bool"}}},
		{Name: "hosts:list", Args: "[-json]", Params: []Param{{Name: "-json", Type: "bool"}}},
		{Name: "docs:targets"},
	}
	for _, tc := range []struct {
		args []string
		want string // "" for accepted
	}{
		{[]string{"hosts:exec", "razer", "uptime", "-json", "-limit=2"}, ""},
		{[]string{"Hosts:Exec", "razer", "uptime", "-JSON=false"}, ""},
		{[]string{"hosts:list", "docs:targets"}, ""}, // mage runs several targets in turn
		{[]string{"hosts:exec"}, "hosts:exec needs 2 arguments (missing SELECTION CMDLINE): go tool mage hosts:exec SELECTION CMDLINE [-limit] [-json]"},
		{[]string{"hosts:exec", "razer"}, "hosts:exec needs 2 arguments (missing CMDLINE): go tool mage hosts:exec SELECTION CMDLINE [-limit] [-json]"},
		{[]string{"hosts:exec", "-json", "razer", "uptime"}, "hosts:exec: flag -json comes before SELECTION; flags go after the positional arguments: go tool mage hosts:exec SELECTION CMDLINE [-limit] [-json]"},
		{[]string{"hosts:exec", "razer", "-limit=3", "uptime"}, "hosts:exec: flag -limit comes before CMDLINE; flags go after the positional arguments: go tool mage hosts:exec SELECTION CMDLINE [-limit] [-json]"},
		{[]string{"hosts:list", "--json"}, "hosts:list: --json has two dashes; mage flags take one: -json"},
		{[]string{"hosts:list", "-jsn"}, "hosts:list has no flag -jsn: did you mean -json? (its flags: -json)"},
		{[]string{"hosts:exec", "a", "b", "-limit"}, "hosts:exec: flag -limit needs a value: -limit=<int>"},
		{[]string{"docs:targets", "-json"}, "docs:targets takes no flags, got -json: go tool mage docs:targets"},
		{[]string{"hosts:list", "razer"}, `extra argument "razer": hosts:list takes [-json], and no target "razer" (go tool mage -l lists them all)`},
		{[]string{"docs:targets", "x"}, `extra argument "x": docs:targets takes no arguments, and no target "x" (go tool mage -l lists them all)`},
		{[]string{"hosts:lst"}, `no target "hosts:lst": did you mean hosts:list? (go tool mage -l lists them all)`},
	} {
		err := CheckArgs(ts, tc.args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("CheckArgs(%q)\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
}
