package workspace_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/fakegithub"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/workspace"
)

// TestBootstrapPublicTurnsOnCodeScanning: a repository init creates public
// gets ci.codeScanning (free on public GitHub repositories) and a workflow
// that uploads SARIF; a private one, or one init does not create, gets
// neither.
func TestBootstrapPublicTurnsOnCodeScanning(t *testing.T) {
	for _, tc := range []struct {
		name           string
		create, public bool
		want           bool
	}{
		{"offline", false, false, false},
		{"created private", true, false, false},
		{"created public", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRemotes(t, fakegithub.Options{})
			dir := filepath.Join(t.TempDir(), "repo")
			b := workspace.BootstrapOptions{Create: tc.create, Public: tc.public, Now: now}
			if tc.create {
				b.Token, b.Trust, b.HTTPClient = r.tok, forge.Trust{APIURL: r.api.URL()}, r.api.Client()
				b.Remote = r.git.URL() + "/acme/shared.git"
			}
			if _, err := workspace.Bootstrap(context.Background(), initOptions(dir), b); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(os.DirFS(dir), config.FileName)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.CI.CodeScanning != tc.want {
				t.Errorf("ci.codeScanning = %v, want %v", cfg.CI.CodeScanning, tc.want)
			}
			wf, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "rtconf.yml"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(wf), "upload-sarif@"); got != tc.want {
				t.Errorf("workflow uploads SARIF: %v, want %v", got, tc.want)
			}
			// The same flags again change nothing.
			res, err := workspace.Bootstrap(context.Background(), initOptions(dir), b)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 0 || res.Commit != "" {
				t.Errorf("second run: %d changes, commit %q", len(res.Changes), res.Commit)
			}
		})
	}
}
