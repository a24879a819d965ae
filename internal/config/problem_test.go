package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorString(t *testing.T) {
	err := &Error{Problems: []Problem{
		{File: "rtconf.yaml", Position: Position{Line: 3, Column: 7}, Field: "runtimes[0].name", Message: "bad name", Hint: "rename it"},
		{File: "rtconf.yaml", Position: Position{Line: 4}, Message: "invalid YAML: x"},
		{File: "rtconf.yaml", Message: "file is empty", Hint: "run `rtconf init`"},
	}}
	want := "rtconf.yaml:3:7: runtimes[0].name: bad name\n" +
		"\thint: rename it\n" +
		"rtconf.yaml:4: invalid YAML: x\n" +
		"rtconf.yaml: file is empty\n" +
		"\thint: run `rtconf init`"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}
