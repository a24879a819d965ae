package workspace_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/gitrepo"
	"github.com/rtconf/rtconf/internal/gitserver"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/workspace"
)

func initOptions(dir string) workspace.InitOptions {
	o := workspace.DefaultInitOptions()
	o.Dir = dir
	o.RepoURL = "https://github.com/acme/shared"
	o.Runtime = "prod"
	o.Users = []string{"alice"}
	o.Now = now
	return o
}

// bootstrapped makes a repository with rtconf init in Git, one commit.
func bootstrapped(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{Now: now}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func equalTrees(t *testing.T, got, want map[string]string) {
	t.Helper()
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("missing %s", p)
		} else if g != w {
			t.Errorf("%s differs", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("unexpected %s", p)
		}
	}
}

func TestBootstrapCommitsOnceAndIsIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	res, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !res.GitInit || res.Commit == "" || res.Branch != "main" {
		t.Fatalf("first run: git init %v, commit %q, branch %q", res.GitInit, res.Commit, res.Branch)
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dirty, _ := repo.Dirty(); len(dirty) != 0 {
		t.Fatalf("dirty after init: %v", dirty)
	}
	again, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if again.GitInit || again.Commit != "" || len(again.Changes) != 0 {
		t.Fatalf("second run changed something: git init %v, commit %q, %d changes", again.GitInit, again.Commit, len(again.Changes))
	}
}

func TestBootstrapKeepsOtherContent(t *testing.T) {
	dir := t.TempDir()
	repo, _, err := gitrepo.Init(dir, "trunk")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "LICENSE"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Commit([]string{"LICENSE"}, "license", repo.Author(gitrepo.Signature{Name: "rtconf", Email: "rtconf@users.noreply.github.com", When: now})); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "draft.txt"), []byte("wip\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.GitInit || res.Commit == "" || res.Branch != "trunk" {
		t.Fatalf("git init %v, commit %q, branch %q", res.GitInit, res.Commit, res.Branch)
	}
	dirty, _ := repo.Dirty()
	if want := []string{"draft.txt"}; !slices.Equal(dirty, want) {
		t.Fatalf("dirty = %v, want only the user's draft (not committed by rtconf)", dirty)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "LICENSE")); string(data) != "mine\n" {
		t.Fatal("LICENSE changed")
	}
}

func TestBootstrapRefusalLeavesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	o := initOptions(dir)
	o.Runtime = "Not_A_Label"
	if _, err := workspace.Bootstrap(context.Background(), o, workspace.BootstrapOptions{Now: now}); err == nil {
		t.Fatal("bad runtime name accepted")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the folder was left behind: %v", err)
	}
}

func TestBootstrapPushesWithTheToken(t *testing.T) {
	tok := mustToken(t, testcreds.Classic("bootpush"))
	srv := gitserver.New(t, gitserver.Options{Token: tok.Reveal()})
	url := srv.NewRepo(t, "acme", "shared")
	dir := filepath.Join(t.TempDir(), "repo")

	wrong := mustToken(t, testcreds.Classic("bootwrong"))
	_, err := workspace.Bootstrap(context.Background(), initOptions(dir),
		workspace.BootstrapOptions{Push: true, Token: wrong, Remote: url, Now: now})
	var pe *gitrepo.PushError
	if !errors.As(err, &pe) || strings.Contains(err.Error(), wrong.Reveal()) {
		t.Fatalf("push with a wrong token = %v, want a PushError without the token", err)
	}
	// The commit is kept; running again with the right token pushes it.
	res, err := workspace.Bootstrap(context.Background(), initOptions(dir),
		workspace.BootstrapOptions{Push: true, Token: tok, Remote: url, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed || res.Commit != "" {
		t.Fatalf("pushed %v, commit %q: want a push of the kept commit and no new one", res.Pushed, res.Commit)
	}
	equalTrees(t, gitserver.Tree(t, srv.BareDir("acme", "shared"), "main"), snapshot(t, dir))
}

func TestBootstrapNeedsATokenOnline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	_, err := workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{Push: true, Now: now})
	var ue *workspace.UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a usage error", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("the folder was made")
	}
}

func TestChangeWithoutPRStaysInTheWorkingTree(t *testing.T) {
	dir := bootstrapped(t)
	ch := workspace.AddUser(config.FileName, "prod", "Bob")
	res, err := workspace.ApplyChange(context.Background(), ch, workspace.ChangeOptions{Dir: dir, ConfigFile: config.FileName, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	got := changeList(res.Changes)
	want := []string{"updated overlays/prod/kustomization.yaml", "added overlays/prod/user-tokens/bob.yaml", "updated rtconf.yaml"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes = %v, want %v", got, want)
	}
	repo, _ := gitrepo.Open(dir)
	dirty, _ := repo.Dirty()
	if want := []string{"overlays/prod/kustomization.yaml", "overlays/prod/user-tokens/bob.yaml", "rtconf.yaml"}; !slices.Equal(dirty, want) {
		t.Fatalf("dirty = %v, want %v", dirty, want)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "rtconf.yaml"))
	if !strings.Contains(string(data), "      - alice\n      - bob\n") || !strings.HasPrefix(string(data), workspace.ModeLine) {
		t.Fatalf("rtconf.yaml:\n%s", data)
	}
}

func TestChangeRefusals(t *testing.T) {
	tests := []struct {
		name string
		ch   workspace.Change
		want string
	}{
		{"runtime exists", workspace.AddRuntime(config.FileName, config.Runtime{Name: "prod", Namespace: "x"}), `runtime "prod" is already in`},
		{"no such runtime", workspace.RemoveRuntime(config.FileName, "nope"), `runtime "nope" is not in`},
		{"user exists", workspace.AddUser(config.FileName, "prod", "ALICE"), `user "alice" is already on runtime "prod"`},
		{"no such user", workspace.RemoveUser(config.FileName, "prod", "zed"), `"zed"`},
		{"bad cluster server", workspace.AddCluster(config.FileName, "prod", config.Cluster{Name: "eu", Server: "http://eu"}), "https"},
		{"last runtime", workspace.RemoveRuntime(config.FileName, "prod"), "empty list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := bootstrapped(t)
			before := snapshot(t, dir)
			_, err := workspace.ApplyChange(context.Background(), tt.ch, workspace.ChangeOptions{Dir: dir, ConfigFile: config.FileName, Now: now})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
			equalTrees(t, snapshot(t, dir), before)
		})
	}
}

func TestPRRefusesADirtyTree(t *testing.T) {
	dir := bootstrapped(t)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	pr := &workspace.PROptions{Token: mustToken(t, testcreds.Classic("dirty"))}
	_, err := workspace.ApplyChange(context.Background(), workspace.AddUser(config.FileName, "prod", "bob"),
		workspace.ChangeOptions{Dir: dir, ConfigFile: config.FileName, Now: now, PR: pr})
	var de *workspace.DirtyError
	if !errors.As(err, &de) || !slices.Equal(de.Paths, []string{"notes.txt"}) || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("err = %v, want a DirtyError naming notes.txt", err)
	}
	equalTrees(t, snapshot(t, dir), before)
}

func TestBootstrapRefusesToOverwriteOtherContent(t *testing.T) {
	dir := t.TempDir()
	repo, _, err := gitrepo.Init(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "overlays", "prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "overlays", "prod", "application.yaml"), []byte("kind: ConfigMap # mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Commit([]string{"overlays/prod/application.yaml"}, "mine", repo.Author(gitrepo.Signature{Name: "rtconf", Email: "rtconf@users.noreply.github.com", When: now})); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err = workspace.Bootstrap(context.Background(), initOptions(dir), workspace.BootstrapOptions{Now: now})
	if err == nil || !strings.Contains(err.Error(), "overlays/prod/application.yaml") {
		t.Fatalf("err = %v, want a refusal naming overlays/prod/application.yaml", err)
	}
	equalTrees(t, snapshot(t, dir), before)
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		t.Fatal("the user's .git was removed")
	}
}

// TestChangeDryRun: a dry run plans the change, shows its diffs, writes
// nothing and takes no lock; with a pull request it is refused.
func TestChangeDryRun(t *testing.T) {
	dir := bootstrapped(t)
	before := snapshot(t, dir)
	opts := workspace.ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: now, DryRun: true, Diff: true}
	res, err := workspace.ApplyChange(context.Background(), workspace.AddUser("rtconf.yaml", "prod", "bob"), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Changes {
		got = append(got, c.Op.String()+" "+c.Path)
	}
	want := []string{"updated overlays/prod/kustomization.yaml", "added overlays/prod/user-tokens/bob.yaml", "updated rtconf.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
	if d := res.Diffs["rtconf.yaml"]; !strings.Contains(d, "+      - bob") {
		t.Errorf("rtconf.yaml's diff = %q, want bob added", d)
	}
	if _, ok := res.Diffs["overlays/prod/user-tokens/bob.yaml"]; ok {
		t.Error("an added file has a diff")
	}
	equalTrees(t, snapshot(t, dir), before)

	opts.PR = &workspace.PROptions{}
	var ue *workspace.UsageError
	if _, err := workspace.ApplyChange(context.Background(), workspace.AddUser("rtconf.yaml", "prod", "bob"), opts); !errors.As(err, &ue) {
		t.Errorf("dry run with a pull request: error = %v, want a usage error", err)
	}
}
