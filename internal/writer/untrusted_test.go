package writer_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/writer"
)

// TestRecoverRefusesUntrustedJournals plants journals that no run of rtconf
// writes (a pull request can commit one): each must be refused with an
// error naming the journal and saying what to do, and nothing anywhere may
// change, the journal included.
func TestRecoverRefusesUntrustedJournals(t *testing.T) {
	const evilConfig = "[core]\n\tfsmonitor = touch /tmp/pwned\n"
	step := func(p, op, tmp, bak string) string {
		return `{"path":"` + p + `","op":"` + op + `","tmp":"` + tmp + `","bak":"` + bak + `"}`
	}
	journal := func(steps ...string) string { return `{"steps":[` + strings.Join(steps, ",") + `]}` }
	tests := []struct {
		name    string
		files   map[string]string // planted besides the journal
		journal string            // its content; "" plants none
		links   map[string]string // symlinks: name → target
		tracked []string          // paths Git tracks
		want    string            // in the error
		tracks  bool              // the error says to git rm
	}{
		{name: ".git/config from a planted backup",
			files:   map[string]string{".git/.config.rtconf-bak": evilConfig},
			journal: journal(step(".git/config", "update", ".git/.config.rtconf-tmp", ".git/.config.rtconf-bak")),
			want:    "inside Git's own folder"},
		{name: ".GIT in another case",
			files:   map[string]string{".git/.config.rtconf-bak": evilConfig},
			journal: journal(step(".GIT/config", "update", ".GIT/.config.rtconf-tmp", ".GIT/.config.rtconf-bak")),
			want:    "inside Git's own folder"},
		{name: "a backup name rtconf does not make",
			files:   map[string]string{"payload": evilConfig},
			journal: journal(step("overlays/prod/application.yaml", "update", "overlays/prod/.application.yaml.rtconf-tmp", "payload")),
			want:    "not the ones rtconf makes"},
		{name: "the user's file outside the generated tree",
			journal: journal(step("src/main.go", "add", "src/.main.go.rtconf-tmp", "src/.main.go.rtconf-bak")),
			want:    "src/main.go, which rtconf does not write"},
		{name: "a path out of the repository",
			journal: journal(step("../outside/victim", "add", "../outside/.victim.rtconf-tmp", "../outside/.victim.rtconf-bak")),
			want:    "not a path inside the repository"},
		{name: "an absolute path",
			journal: journal(step("/etc/passwd", "add", "/etc/.passwd.rtconf-tmp", "/etc/.passwd.rtconf-bak")),
			want:    "not a path inside the repository"},
		{name: "through a folder symlinked to .git",
			links:   map[string]string{"overlays/stage": "../.git"},
			files:   map[string]string{".git/.config.rtconf-bak": evilConfig},
			journal: journal(step("overlays/stage/config", "update", "overlays/stage/.config.rtconf-tmp", "overlays/stage/.config.rtconf-bak")),
			want:    "a symlink"},
		{name: "a target that is a symlink",
			links:   map[string]string{"overlays/prod/application.yaml": "../../src/main.go"},
			journal: journal(step("overlays/prod/application.yaml", "add", "overlays/prod/.application.yaml.rtconf-tmp", "overlays/prod/.application.yaml.rtconf-bak")),
			want:    "not a regular file"},
		{name: "the journal is a symlink",
			links: map[string]string{writer.JournalFile: "src/main.go"},
			want:  "not a regular file"},
		{name: "Git tracks the journal",
			journal: journal(step("overlays/prod/application.yaml", "add", "overlays/prod/.application.yaml.rtconf-tmp", "overlays/prod/.application.yaml.rtconf-bak")),
			tracked: []string{writer.JournalFile},
			want:    "Git tracks it", tracks: true},
		{name: "Git tracks the staging copy of a journal",
			files:   map[string]string{writer.JournalFile + ".tmp": "{}"},
			tracked: []string{writer.JournalFile + ".tmp"},
			want:    "Git tracks it", tracks: true},
		{name: "a folder that holds none of its files",
			journal: `{"steps":[],"dirs":[".git/hooks"]}`,
			want:    "holds none of its files"},
		{name: "an unknown operation",
			journal: journal(step("overlays/prod/application.yaml", "chmod", "overlays/prod/.application.yaml.rtconf-tmp", "overlays/prod/.application.yaml.rtconf-bak")),
			want:    "unknown operation"},
		{name: "the journal names itself",
			journal: journal(step(writer.JournalFile, "add", "."+writer.JournalFile+".rtconf-tmp", "."+writer.JournalFile+".rtconf-bak")),
			want:    "rtconf's own hidden files"},
		{name: "a path twice",
			journal: journal(step("overlays/a.yaml", "add", "overlays/.a.yaml.rtconf-tmp", "overlays/.a.yaml.rtconf-bak"),
				step("overlays/a.yaml", "add", "overlays/.a.yaml.rtconf-tmp", "overlays/.a.yaml.rtconf-bak")),
			want: "a second time"},
		{name: "fields rtconf does not write",
			journal: `{"steps":[],"exec":"sh"}`,
			want:    "is damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "repo")
			makeTree(t, filepath.Join(base, "outside"), map[string]string{"victim": "precious\n"})
			makeTree(t, dir, map[string]string{
				".git/config": "[core]\n\tbare = false\n", "src/main.go": "package main\n",
				"overlays/prod/kustomization.yaml": "resources: []\n", "rtconf.yaml": "runtimes: []\n",
			})
			makeTree(t, dir, tt.files)
			if tt.journal != "" {
				makeTree(t, dir, map[string]string{writer.JournalFile: tt.journal})
			}
			for name, target := range tt.links {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			scope := writer.Scope{
				Owns: func(p string) bool { return strings.HasPrefix(p, "overlays/") || p == "rtconf.yaml" },
				Tracked: func(p string) (bool, error) {
					for _, tr := range tt.tracked {
						if p == tr {
							return true, nil
						}
					}
					return false, nil
				},
			}
			before := snapshot(t, base)
			_, err := writer.Recover(openRoot(t, dir), scope)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Recover = %v, want a refusal saying %q", err, tt.want)
			}
			var untrusted *writer.UntrustedJournalError
			if tt.want != "is damaged" {
				if !errors.As(err, &untrusted) {
					t.Fatalf("Recover = %T %v, want an *UntrustedJournalError", err, err)
				}
				if !strings.Contains(err.Error(), "changed nothing") || strings.Contains(err.Error(), "git rm") != tt.tracks {
					t.Errorf("the refusal does not say what happened and what to do (git rm: %v): %v", tt.tracks, err)
				}
			}
			if d := treeDiff(before, snapshot(t, base)); d != "" {
				t.Errorf("a refused journal changed files:\n%s", d)
			}
		})
	}
}

// TestApplyNeverWritesIntoGitOrThroughSymlinks: a plan that names a path in
// .git, or one below a folder that is a symlink inside the tree (to .git, to
// another folder), is refused before anything is written.
func TestApplyNeverWritesIntoGitOrThroughSymlinks(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{"into .git", ".git/config"},
		{"into .Git", ".Git/hooks/pre-commit"},
		{"below a folder symlinked to .git", "overlays/config"},
		{"below a nested symlink to .git", "runtimes/prod/config"},
		{"below a folder symlinked inside the tree", "resources/x.yaml"},
		{"the journal", writer.JournalFile},
		{"a backup name", "overlays/.a.yaml.rtconf-bak"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			makeTree(t, dir, map[string]string{".git/config": "[core]\n", "src/keep.go": "package keep\n", "runtimes/real/a.yaml": "a\n"})
			for name, target := range map[string]string{"overlays": ".git", "runtimes/prod": "../.git", "resources": "src"} {
				if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, dir)
			err := writer.Apply(openRoot(t, dir), []generator.Change{
				{Path: "fine.yaml", Op: generator.Add, Data: []byte("fine\n")},
				{Path: tt.path, Op: generator.Add, Data: []byte("[core]\n\tfsmonitor = evil\n")},
			})
			if err == nil {
				t.Fatalf("Apply(%s) succeeded, want a refusal", tt.path)
			}
			if d := treeDiff(before, snapshot(t, dir)); d != "" {
				t.Errorf("a refused Apply changed files:\n%s", d)
			}
		})
	}
}
