package benchrepo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/benchrepo"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/workspace"
)

// now is within the demo certificate's validity.
var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// TestWriteIsCleanAndStable: a built repository validates without a
// finding, and rtconf generate changes nothing in it.
func TestWriteIsCleanAndStable(t *testing.T) {
	o := benchrepo.DefaultOptions(3)
	o.Now = now
	dir := filepath.Join(t.TempDir(), "repo")
	if err := benchrepo.Write(dir, o, false); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	vo := validator.DefaultOptions()
	vo.Now = now
	rep, err := validator.Validate(context.Background(), root.FS(), vo)
	if err != nil {
		t.Fatal(err)
	}
	// The benchmark repository is sealed for the demo certificate, which
	// validate warns about once; nothing else may be found.
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != validator.RuleDemoCertificate {
		t.Errorf("findings: %+v", rep.Findings)
	}
	if want := 3 * (3 + o.Users + o.Clusters); rep.Objects != want {
		t.Errorf("%d objects, want %d", rep.Objects, want)
	}
	res, err := workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: config.FileName})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 {
		t.Errorf("generate changes %d files, want none", len(res.Changes))
	}
}

func TestWriteConfigOnly(t *testing.T) {
	o := benchrepo.DefaultOptions(2)
	dir := t.TempDir()
	if err := benchrepo.Write(dir, o, true); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "certs" || names[1] != config.FileName {
		t.Errorf("wrote %v, want certs and %s", names, config.FileName)
	}
	if err := benchrepo.Write(dir, o, true); err == nil {
		t.Error("writing into a folder that is not empty: no error")
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []benchrepo.Options{
		{Runtimes: 0, Now: now},
		{Runtimes: 1, Users: -1, Now: now},
		{Runtimes: 1},
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
