package workspace_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/fifotest"
	"github.com/rtconf/rtconf/internal/workspace"
)

// staleDemo makes a demo repository whose generated tree is out of date
// with rtconf.yaml in several places, edit applied to its text first:
// runtimes/staging/in-cluster.yaml is missing, overlays/staging/old.yaml
// is a generated file no longer generated, and production's managed
// cluster moved to another server.
func staleDemo(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := demoRepo(t)
	cfg := readFile(t, dir, "rtconf.yaml")
	cfg = strings.Replace(cfg, "https://edge-eu.example.com", "https://edge-eu-2.example.com", 1)
	if err := os.WriteFile(filepath.Join(dir, "rtconf.yaml"), []byte(edit(cfg)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "runtimes/staging/in-cluster.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "overlays/staging/old.yaml"), []byte(generator.Header+"kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func changeList(changes []generator.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Op.String()+" "+c.Path)
	}
	return out
}

// pendingGenerate is what `rtconf generate` would still change in dir.
func pendingGenerate(t *testing.T, dir string) []string {
	t.Helper()
	res, err := workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	return changeList(res.Changes)
}

// TestSealWritesOnlyTheTokenFile: sealing into a slot the overlay already
// lists writes that file and nothing else, however out of date the rest of
// the tree is (its own runtime's other files included): that is generate's
// to fix, and it still can.
func TestSealWritesOnlyTheTokenFile(t *testing.T) {
	dir := staleDemo(t, func(s string) string { return s })
	stale := []string{
		"removed overlays/staging/old.yaml",
		"updated runtimes/production/edge-eu.yaml",
		"added runtimes/staging/in-cluster.yaml",
	}
	if diff := cmp.Diff(stale, pendingGenerate(t, dir)); diff != "" {
		t.Fatalf("the stale demo (-want +got):\n%s", diff)
	}
	for _, user := range []string{"", "Alice"} {
		o := sealOpts(dir)
		o.Runtime, o.User, o.Token = "production", user, mustToken(t, canary)
		res, err := workspace.Seal(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"updated " + res.Path}, changeList(res.Changes)); diff != "" {
			t.Errorf("seal %q: changes (-want +got):\n%s", user, diff)
		}
	}
	if diff := cmp.Diff(stale, pendingGenerate(t, dir)); diff != "" {
		t.Errorf("after sealing, generate would change (-want +got):\n%s", diff)
	}
}

// TestSealIntoAnOutOfDateOverlay: a user added to rtconf.yaml by hand has
// no slot in the overlay yet; sealing the user's token plans the runtime's
// own files with it, so the token is in the overlay, and nothing of
// another runtime.
func TestSealIntoAnOutOfDateOverlay(t *testing.T) {
	dir := staleDemo(t, func(s string) string { return strings.Replace(s, "      - bob\n", "      - bob\n      - carol\n", 1) })
	o := sealOpts(dir)
	o.Runtime, o.User, o.Token = "production", "carol", mustToken(t, canary)
	o.DryRun = true
	before := snapshot(t, dir)
	res, err := workspace.Seal(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"updated overlays/production/kustomization.yaml",
		"added overlays/production/user-tokens/carol.yaml",
		"updated runtimes/production/edge-eu.yaml",
	}
	if diff := cmp.Diff(want, changeList(res.Changes)); diff != "" {
		t.Errorf("dry run: changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("a dry run changed the repository:\n%s", diff)
	}

	o.DryRun = false
	if res, err = workspace.Seal(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, changeList(res.Changes)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := unseal(t, filepath.Join(dir, res.Path)); got["username"] != "carol" {
		t.Errorf("unsealed %s: %v", res.Path, got)
	}
	if !strings.Contains(readFile(t, dir, "overlays/production/kustomization.yaml"), "- user-tokens/carol.yaml\n") {
		t.Error("the overlay does not list the sealed token")
	}
	rest := []string{"removed overlays/staging/old.yaml", "added runtimes/staging/in-cluster.yaml"}
	if diff := cmp.Diff(rest, pendingGenerate(t, dir)); diff != "" {
		t.Errorf("after sealing, generate would change (-want +got):\n%s", diff)
	}
}

// TestRotateTokenPlansTheTokenFile: token rotate changes the token's file
// only and names the token it replaces.
func TestRotateTokenPlansTheTokenFile(t *testing.T) {
	dir := staleDemo(t, func(s string) string { return s })
	o := sealOpts(dir)
	o.Runtime, o.User, o.Token = "production", "bob", mustToken(t, canary)
	res, err := workspace.ApplyChange(context.Background(), workspace.RotateToken(o),
		workspace.ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	p := "overlays/production/user-tokens/bob.yaml"
	if diff := cmp.Diff([]string{"updated " + p}, changeList(res.Changes)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "revoke the previous Git user token of bob on runtime production (fingerprint ") {
		t.Errorf("notes = %q", res.Notes)
	}
	if got := unseal(t, filepath.Join(dir, p)); got["token"] != canary {
		t.Errorf("the rotated token is not in %s", p)
	}
}

// TestSealReadsNothingOfOtherRuntimes: with another runtime's generated
// files replaced by FIFOs (which rtconf refuses to read, and which would
// block a plain read), seal and token rotate still succeed: they read
// only the token's runtime.
func TestSealReadsNothingOfOtherRuntimes(t *testing.T) {
	dir := demoRepo(t)
	var fifo string
	for _, p := range []string{"overlays/staging/application.yaml", "runtimes/staging/kustomization.yaml", "README.md"} {
		fifo = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.Remove(fifo); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fifotest.Within(t, 30*time.Second, fifo, func() {
		o := sealOpts(dir)
		o.Runtime, o.Token = "production", mustToken(t, canary)
		if _, err := workspace.Seal(context.Background(), o); err != nil {
			t.Errorf("seal: %v", err)
		}
		o.User = "alice"
		if _, err := workspace.ApplyChange(context.Background(), workspace.RotateToken(o),
			workspace.ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: now}); err != nil {
			t.Errorf("token rotate: %v", err)
		}
	})
}
