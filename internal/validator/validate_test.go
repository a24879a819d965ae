package validator_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/internal/validator/output"
	"github.com/rtconf/rtconf/internal/workspace"
	"github.com/rtconf/rtconf/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata/validate")

// now is after the demo certificate was issued and within 30 days of it.
var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const casesDir = "../../testdata/validate"

// caseRepo builds the repository of a case: a base made by rtconf itself,
// then the files of case.txtar written over it. The archive's comment holds
// directives, one a line: "base demo" (default) or "base plain" (a new
// repository, tokens pending, no certificate), "delete PATH", "strict",
// "shard I/N".
func caseRepo(t *testing.T, name string) (string, validator.Options) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join(casesDir, name, "case.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	opts := validator.DefaultOptions()
	opts.Now = now
	dir := filepath.Join(t.TempDir(), "repo")
	base := "demo"
	var deletes []string
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] == "base" && len(f) == 2:
			base = f[1]
		case f[0] == "delete" && len(f) == 2:
			deletes = append(deletes, f[1])
		case f[0] == "strict":
			opts.Strict = true
		case f[0] == "shard" && len(f) == 2:
			if opts.Shard, err = validator.ParseShard(f[1]); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("%s: unknown directive %q", name, line)
		}
	}
	init := workspace.InitOptions{Dir: dir, Demo: true, Now: now}
	if base == "plain" {
		init = workspace.InitOptions{Dir: dir, RepoURL: "https://github.com/acme/shared-config", Revision: "main", Runtime: "prod", Users: []string{"alice"}}
	}
	if _, err := workspace.Init(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	for _, p := range deletes {
		if err := os.Remove(filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, opts
}

func cases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestValidateGolden validates every case and compares the text and JSON
// reports with want.txt and want.json.
func TestValidateGolden(t *testing.T) {
	t.Parallel()
	set := schemas.NewManifestSet() // safe for concurrent use
	for _, name := range cases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, opts := caseRepo(t, name)
			opts.Schemas = set
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			rep, err := validator.Validate(context.Background(), root.FS(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"text", "json"} {
				w, err := output.New(format, output.DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := w.Write(&b, rep); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join(casesDir, name, "want."+map[string]string{"text": "txt", "json": "json"}[format])
				if *update {
					if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), b.String()); diff != "" {
					t.Errorf("%s (-want +got); go test ./validator -update if intended:\n%s", golden, diff)
				}
			}
			checkExpectations(t, name, rep)
		})
	}
}

// checkExpectations reads the case comment's lines "#expect RULE SEVERITY
// PATH:LINE" (":LINE" optional), "#expect none" and "#reject RULE", so that a
// golden file rewritten by -update cannot silently lose the finding the
// case is about.
func checkExpectations(t *testing.T, name string, rep validator.Report) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join(casesDir, name, "case.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "#reject" {
			for _, fd := range rep.Findings {
				if fd.Rule == f[1] {
					t.Errorf("unwanted %s finding: %+v", f[1], fd)
				}
			}
			continue
		}
		if len(f) == 0 || f[0] != "#expect" {
			continue
		}
		if len(f) == 2 && f[1] == "none" {
			if len(rep.Findings) != 0 {
				t.Errorf("want no findings, got %d", len(rep.Findings))
			}
			continue
		}
		// "#expect only RULE": every finding is of RULE, and there is one
		// (the demo base's demo-certificate warning, say).
		if len(f) == 3 && f[1] == "only" {
			if len(rep.Findings) == 0 {
				t.Errorf("want %s findings only, got none", f[2])
			}
			for _, fd := range rep.Findings {
				if fd.Rule != f[2] {
					t.Errorf("want %s findings only, got %+v", f[2], fd)
				}
			}
			continue
		}
		if len(f) != 4 {
			t.Fatalf("bad expectation %q", line)
		}
		found := false
		for _, fd := range rep.Findings {
			loc := fd.Path
			if strings.Contains(f[3], ":") {
				loc = fd.Path + ":" + strconv.Itoa(fd.Line)
			}
			if fd.Rule == f[1] && string(fd.Severity) == f[2] && loc == f[3] {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s %s finding at %s", f[1], f[2], f[3])
		}
	}
}

// TestShardsTogetherFindEverything: the findings of shards 1..N of a
// repository are exactly the findings of the whole.
func TestShardsTogetherFindEverything(t *testing.T) {
	dir, opts := caseRepo(t, "sealed-renamed")
	if err := os.WriteFile(filepath.Join(dir, "resources/notes.md"), []byte(testcreds.Classic("abcdefghijklmnopqrstuvwxyz0123456789")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	opts.Schemas = schemas.NewManifestSet()
	whole, err := validator.Validate(context.Background(), root.FS(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 3; n++ {
		var all []validator.Finding
		var runtimes []string
		for i := 1; i <= n; i++ {
			o := opts
			o.Shard = validator.Shard{Index: i, Total: n}
			rep, err := validator.Validate(context.Background(), root.FS(), o)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, rep.Findings...)
			runtimes = append(runtimes, rep.Runtimes...)
		}
		sortFindings(all)
		if diff := cmp.Diff(whole.Findings, all); diff != "" {
			t.Errorf("N=%d: shards' findings differ from the whole's (-whole +shards):\n%s", n, diff)
		}
		if len(runtimes) != len(whole.Runtimes) {
			t.Errorf("N=%d: shards validated %v, the whole %v", n, runtimes, whole.Runtimes)
		}
	}
}

func sortFindings(fs []validator.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// TestCleanStaysCleanLater: the demo repository validates without findings
// long after its certificate was issued (the key-age warning is for
// sealing, not validation), as CI runs it on any day.
func TestCleanStaysCleanLater(t *testing.T) {
	dir, opts := caseRepo(t, "clean")
	opts.Now = now.Add(400 * 24 * time.Hour)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	rep, err := validator.Validate(context.Background(), root.FS(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The demo repository pins the demo certificate, which is its one
	// finding (a warning) whatever the date.
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != validator.RuleDemoCertificate {
		t.Errorf("findings a year later: %+v", rep.Findings)
	}
}
