package workspace_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/forge/providers"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/testcreds"
	"github.com/rtconf/rtconf/internal/token"
	"github.com/rtconf/rtconf/internal/workspace"
)

// wantRuntimeToken is what the runtime token of a demo runtime unseals to
// when tok is sealed there.
func wantRuntimeToken(tok string) map[string]string {
	return map[string]string{"password": tok, "type": "git", "url": "https://github.com/example-org/", "username": github.GitUsername}
}

// TestSealSeveralRuntimes seals one token into the runtime token of both
// demo runtimes, named or all: each file unseals, with the demo key, to the
// token, and nothing else of the tree changes.
func TestSealSeveralRuntimes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		apply func(*workspace.SealOptions)
	}{
		{"named", func(o *workspace.SealOptions) { o.Runtimes = []string{"staging", "production"} }},
		{"all", func(o *workspace.SealOptions) { o.AllRuntimes = true }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := demoRepo(t)
			before := snapshot(t, dir)
			o := sealOpts(dir)
			o.Token = mustToken(t, canary)
			tt.apply(&o)
			res, err := workspace.Seal(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"production", "staging"}
			if tt.name == "named" {
				want = []string{"staging", "production"}
			}
			if diff := cmp.Diff(want, res.Runtimes); diff != "" {
				t.Errorf("Runtimes (-want +got):\n%s", diff)
			}
			var paths []string
			for _, c := range res.Changes {
				paths = append(paths, c.Path)
			}
			if diff := cmp.Diff([]string{"overlays/production/runtime-token.yaml", "overlays/staging/runtime-token.yaml"}, paths); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			after := snapshot(t, dir)
			for _, rt := range []string{"production", "staging"} {
				p := "overlays/" + rt + "/runtime-token.yaml"
				if diff := cmp.Diff(wantRuntimeToken(canary), unseal(t, filepath.Join(dir, p))); diff != "" {
					t.Errorf("%s unsealed (-want +got):\n%s", p, diff)
				}
				if !strings.Contains(after[p], "namespace: ") || !strings.Contains(after[p], "rtconf.io/runtime: "+rt) {
					t.Errorf("%s is not the SealedSecret of runtime %s:\n%s", p, rt, after[p])
				}
				delete(before, p)
				delete(after, p)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("other files changed (-before +after):\n%s", diff)
			}
			gen, err := workspace.Generate(context.Background(), workspace.GenerateOptions{Dir: dir, ConfigFile: "rtconf.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			if len(gen.Changes) != 0 {
				t.Errorf("generate after sealing changed %v", gen.Changes)
			}
		})
	}
}

// TestSealSeveralRuntimesRefusals: the usage errors of several runtimes,
// and the refusals that apply to each, refuse the whole run with nothing
// written.
func TestSealSeveralRuntimesRefusals(t *testing.T) {
	for _, tt := range []struct {
		name  string
		apply func(*workspace.SealOptions)
		want  []string
	}{
		{"unknown runtimes", func(o *workspace.SealOptions) { o.Runtimes = []string{"production", "qa", "dev"} },
			[]string{`runtimes "qa", "dev" not in`, "(runtimes: production, staging)", "nothing was sent or written"}},
		{"with --all-runtimes", func(o *workspace.SealOptions) { o.Runtime, o.AllRuntimes = "production", true },
			[]string{"--runtime and --all-runtimes: give one"}},
		{"twice", func(o *workspace.SealOptions) { o.Runtimes = []string{"staging", "staging"} },
			[]string{"--runtime staging given twice"}},
		{"a user token", func(o *workspace.SealOptions) { o.AllRuntimes, o.User = true, "alice" },
			[]string{"one runtime at a time"}},
		{"the demo certificate", func(o *workspace.SealOptions) { o.AllRuntimes, o.Demo = true, false },
			[]string{"refusing to seal the token with the demo certificate"}},
		{"another provider's token", func(o *workspace.SealOptions) {
			o.AllRuntimes = true
			o.Token = mustGitLabToken(t)
		}, []string{"the token is not a GitHub token"}},
		{"sealed App credentials", func(o *workspace.SealOptions) {
			o.AllRuntimes = true
			holdApp(t, o.Dir, "staging")
		}, []string{"the runtime token files of 1 runtime hold sealed GitHub App credentials (staging)", "--replace"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := demoRepo(t)
			o := sealOpts(dir)
			o.Token = mustToken(t, canary)
			tt.apply(&o)
			before := snapshot(t, dir)
			_, err := workspace.Seal(context.Background(), o)
			var ue *workspace.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error = %v, want a usage error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error = %v, want %q", err, w)
				}
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("a refused seal changed the tree (-before +after):\n%s", diff)
			}
		})
	}
}

// TestSealSeveralRuntimesReplacesApp: with --replace, sealed App
// credentials in one runtime are replaced, and the note names that runtime
// alone.
func TestSealSeveralRuntimesReplacesApp(t *testing.T) {
	dir := demoRepo(t)
	holdApp(t, dir, "staging")
	o := sealOpts(dir)
	o.Token, o.AllRuntimes, o.Replace = mustToken(t, canary), true, true
	res, err := workspace.Seal(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "GitHub App credentials of runtime staging") {
		t.Errorf("notes = %q, want one naming the App credentials of staging", res.Notes)
	}
	if diff := cmp.Diff(wantRuntimeToken(canary), unseal(t, filepath.Join(dir, "overlays/staging/runtime-token.yaml"))); diff != "" {
		t.Errorf("staging unsealed (-want +got):\n%s", diff)
	}
}

// TestRotateSeveralRuntimes: token rotate --all-runtimes seals the new
// token everywhere and names the previous token once, with the runtimes
// that held it.
func TestRotateSeveralRuntimes(t *testing.T) {
	dir := demoRepo(t)
	o := sealOpts(dir)
	o.Token, o.AllRuntimes = mustToken(t, canary), true
	if _, err := workspace.Seal(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	o.Token = mustToken(t, repoOnly)
	res, err := workspace.ApplyChange(context.Background(), workspace.RotateToken(o), workspace.ChangeOptions{Dir: dir, ConfigFile: "rtconf.yaml", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 {
		t.Errorf("changes = %v, want both runtime tokens", res.Changes)
	}
	old := mustToken(t, canary)
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "Git runtime token of 2 runtimes (production, staging)") || !strings.Contains(res.Notes[0], old.Fingerprint()) {
		t.Errorf("notes = %q, want one naming the previous token (%s) of both runtimes", res.Notes, old.Fingerprint())
	}
	for _, rt := range []string{"production", "staging"} {
		if diff := cmp.Diff(wantRuntimeToken(repoOnly), unseal(t, filepath.Join(dir, "overlays", rt, "runtime-token.yaml"))); diff != "" {
			t.Errorf("%s unsealed (-want +got):\n%s", rt, diff)
		}
	}
}

// TestSealSeveralRuntimesChecksOnce: the token is checked live once for
// both runtimes, for what they need together (staging's runtime token
// serves its users): the requests are those of a seal into staging alone,
// none sent twice, and both files record the check.
func TestSealSeveralRuntimesChecksOnce(t *testing.T) {
	requests := func(t *testing.T, apply func(*workspace.SealOptions)) ([]string, string) {
		s, o := liveSealOpts(t, now)
		dir := o.Dir
		o.Token = mustToken(t, canary)
		apply(&o)
		if _, err := workspace.Seal(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range s.Requests() {
			out = append(out, r.Method+" "+r.Path)
		}
		return out, dir
	}
	one, _ := requests(t, func(o *workspace.SealOptions) { o.Runtime = "staging" })
	all, dir := requests(t, func(o *workspace.SealOptions) { o.AllRuntimes = true })
	if len(one) == 0 {
		t.Fatal("a live seal sent no request")
	}
	if diff := cmp.Diff(one, all); diff != "" {
		t.Errorf("requests of --all-runtimes differ from one seal's (-one +all):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r] {
			t.Errorf("%s sent twice", r)
		}
		seen[r] = true
	}
	for _, rt := range []string{"production", "staging"} {
		if text := readFile(t, dir, "overlays/"+rt+"/runtime-token.yaml"); !strings.Contains(text, seal.AnnotationVerification+": "+seal.VerificationVerified) {
			t.Errorf("%s does not record the check:\n%s", rt, text)
		}
	}
}

// holdApp makes the runtime token of runtime in dir look like sealed App
// credentials, as far as sealing reads it (its token-kind annotation).
func holdApp(t *testing.T, dir, runtime string) {
	t.Helper()
	p := filepath.Join(dir, "overlays", runtime, "runtime-token.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), seal.AnnotationTokenKind+": classic", seal.AnnotationTokenKind+": github-app", 1)
	if s == string(data) {
		t.Fatalf("%s has no classic token kind:\n%s", p, data)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustGitLabToken(t *testing.T) token.Token {
	t.Helper()
	tok, err := providers.ParseToken(testcreds.GitLab("manyGITLAB"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestSealSeveralRuntimesRefusalNamesThem: a token the live check refuses
// for several runtimes is refused naming them, and the runtimes whose
// runtime token serves their users (what made the check ask for more);
// nothing is written.
func TestSealSeveralRuntimesRefusalNamesThem(t *testing.T) {
	_, o := liveSealOpts(t, now)
	dir := o.Dir
	o.Token = mustToken(t, repoOnly)
	o.AllRuntimes = true
	before := snapshot(t, dir)
	_, err := workspace.Seal(context.Background(), o)
	var refused *workspace.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("error = %v, want a refusal", err)
	}
	for _, w := range []string{
		"refusing to seal the token into the runtime tokens of 2 runtimes (production, staging)",
		"in 1 of them (staging) the runtime token also serves the users",
		"admin:repo_hook",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error = %v\nwant %q", err, w)
		}
	}
	if strings.Contains(err.Error(), repoOnly) {
		t.Error("the error repeats the token")
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("a refused seal changed the tree (-before +after):\n%s", diff)
	}
}
