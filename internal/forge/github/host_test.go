package github_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/forge/github"
)

// TestAllowedAPIURL: the API a token may go to is derived from
// repository.url alone; repository.apiURL may only repeat it.
func TestAllowedAPIURL(t *testing.T) {
	tests := []struct {
		url, apiURL string
		want        string // "" with wantErr
		wantErr     string
	}{
		{url: "https://github.com/acme/shared", want: "https://api.github.com/"},
		{url: "https://GitHub.com:443/acme/shared.git", want: "https://api.github.com/"},
		{url: "https://www.github.com/acme/shared", want: "https://api.github.com/"},
		{url: "https://github.com/acme/shared", apiURL: "https://api.github.com", want: "https://api.github.com/"},
		{url: "https://github.com/acme/shared", apiURL: "https://API.github.com/", want: "https://api.github.com/"},
		{url: "https://ghe.example.com/acme/shared", want: "https://ghe.example.com/api/v3/"},
		{url: "https://ghe.example.com:8443/acme/shared", want: "https://ghe.example.com:8443/api/v3/"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://ghe.example.com/api/v3/", want: "https://ghe.example.com/api/v3/"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://ghe.example.com:443/api/v3", want: "https://ghe.example.com/api/v3/"},

		{url: "https://github.com/acme/shared", apiURL: "https://attacker.example/api/v3", wantErr: `repository.apiURL: "https://attacker.example/api/v3" is not the API of github.com`},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://api.github.com", wantErr: "is not the API of ghe.example.com"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://ghe.example.com.attacker.example/api/v3", wantErr: "is not the API of ghe.example.com"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://ghe.example.com:8443/api/v3", wantErr: "is not the API of ghe.example.com"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://ghe.example.com/api/v4", wantErr: "is not the API of ghe.example.com"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "http://ghe.example.com/api/v3", wantErr: "repository.apiURL: not an https URL"},
		{url: "https://ghe.example.com/acme/shared", apiURL: "https://x:y@ghe.example.com/api/v3", wantErr: "repository.apiURL: not an https URL"},
		{url: "http://ghe.example.com/acme/shared", wantErr: "repository.url: not an https URL"},
		{url: "git@github.com:acme/shared.git", wantErr: "repository.url: not an https URL"},
	}
	for _, tt := range tests {
		got, err := github.AllowedAPIURL(tt.url, tt.apiURL)
		if tt.wantErr != "" {
			var he *forge.HostError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want an error with %q", tt.url, tt.apiURL, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("AllowedAPIURL(%q, %q) = %q, %v; want %q", tt.url, tt.apiURL, got, err, tt.want)
		}
	}
}

// TestResolve: --api-url, GITHUB_API_URL in GitHub Actions, github.com,
// and confirmed Enterprise hosts; everything else is refused.
func TestResolve(t *testing.T) {
	confirmed := t.TempDir()
	if err := os.WriteFile(filepath.Join(confirmed, forge.HostsFile), []byte("hosts:\n  - GHE.example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		trust        forge.Trust
		url, apiURL  string
		want, wantGH string
		wantErr      string
	}{
		{name: "github.com", url: "https://github.com/acme/shared", want: "https://api.github.com/", wantGH: "github.com"},
		{name: "confirmed Enterprise host", trust: forge.Trust{Hosts: forge.KnownHosts{Dir: confirmed}},
			url: "https://ghe.example.com/acme/shared", want: "https://ghe.example.com/api/v3/", wantGH: "ghe.example.com"},
		{name: "unconfirmed Enterprise host, no terminal", trust: forge.Trust{Hosts: forge.KnownHosts{Dir: confirmed}},
			url:     "https://other.example.com/acme/shared",
			wantErr: "refusing to send the token to https://other.example.com/api/v3/: other.example.com, the host of repository.url in rtconf.yaml, is a GitHub Enterprise Server host you have not confirmed"},
		{name: "Enterprise host without a config directory", url: "https://ghe.example.com/acme/shared", wantErr: "run the command once on a terminal to confirm the host, or pass --api-url https://ghe.example.com/api/v3/"},
		{name: "apiURL on another host", trust: forge.Trust{Hosts: forge.KnownHosts{Dir: confirmed}},
			url: "https://ghe.example.com/acme/shared", apiURL: "https://attacker.example/api/v3", wantErr: "is not the API of ghe.example.com"},
		{name: "--api-url: the user's choice, any host", trust: forge.Trust{APIURL: "http://127.0.0.1:9/api/v3", CIAPIURL: "https://api.github.com"},
			url: "https://attacker.example/acme/shared", apiURL: "https://attacker.example/api/v3", want: "http://127.0.0.1:9/api/v3/", wantGH: "127.0.0.1:9"},
		{name: "--api-url api.github.com", trust: forge.Trust{APIURL: "https://api.github.com"},
			url: "https://github.com/acme/shared", want: "https://api.github.com/", wantGH: "github.com"},
		{name: "--api-url with credentials", trust: forge.Trust{APIURL: "https://u:p@api.github.com"}, url: "https://github.com/acme/shared", wantErr: "--api-url: not an http(s) API URL"},
		{name: "GitHub Actions on github.com", trust: forge.Trust{CIAPIURL: "https://api.github.com"},
			url: "https://github.com/acme/shared", want: "https://api.github.com/", wantGH: "github.com"},
		{name: "GitHub Actions on an Enterprise Server needs no confirmation", trust: forge.Trust{CIAPIURL: "https://ghe.example.com/api/v3"},
			url: "https://ghe.example.com/acme/shared", want: "https://ghe.example.com/api/v3/", wantGH: "ghe.example.com"},
		{name: "GitHub Actions: repository.url elsewhere", trust: forge.Trust{CIAPIURL: "https://api.github.com", Hosts: forge.KnownHosts{Dir: confirmed}},
			url:     "https://ghe.example.com/acme/shared",
			wantErr: "the repository is on ghe.example.com, but this GitHub Actions runner's API (GITHUB_API_URL) is github.com's: nothing was sent"},
		{name: "GitHub Actions: apiURL elsewhere", trust: forge.Trust{CIAPIURL: "https://api.github.com"},
			url: "https://github.com/acme/shared", apiURL: "https://attacker.example/api/v3", wantErr: "is not the API of github.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.trust.Resolve(github.Forge{}, tt.url, tt.apiURL)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve = %+v, %v; want an error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.APIURL != tt.want || got.GitHost != tt.wantGH {
				t.Fatalf("Resolve = %+v, %v; want %s with Git host %s", got, err, tt.want, tt.wantGH)
			}
		})
	}
}

// TestKnownHosts: a host is confirmed once on a terminal and recorded; a
// "no", or no terminal, refuses it and records nothing.
func TestKnownHosts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rtconf")
	const host, api = "ghe.example.com", "https://ghe.example.com/api/v3/"
	var prompt bytes.Buffer

	no := forge.KnownHosts{Dir: dir, Prompt: &prompt, Answer: strings.NewReader("n\n")}
	var uh *forge.UnconfirmedHostError
	if err := no.Confirm(host, api, "GitHub Enterprise Server"); !errors.As(err, &uh) || !uh.Declined {
		t.Fatalf("declined: %v", err)
	}
	if !strings.Contains(prompt.String(), "Trust this GitHub Enterprise Server host (kept in "+filepath.Join(dir, "hosts.yml")+")? [y/N]") {
		t.Errorf("prompt = %q", prompt.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a declined host made %s: %v", dir, err)
	}
	if err := (forge.KnownHosts{Dir: dir, Prompt: &prompt, Answer: strings.NewReader("")}).Confirm(host, api, "GitHub Enterprise Server"); !errors.As(err, &uh) {
		t.Fatalf("no answer: %v", err)
	}

	yes := forge.KnownHosts{Dir: dir, Prompt: &prompt, Answer: strings.NewReader("Y\n")}
	if err := yes.Confirm(host, api, "GitHub Enterprise Server"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "hosts.yml"))
	if err != nil || !strings.Contains(string(data), "\n    - ghe.example.com\n") {
		t.Fatalf("hosts.yml = %q, %v", data, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "hosts.yml")); fi.Mode().Perm() != 0o600 {
		t.Errorf("hosts.yml mode %v, want 0600", fi.Mode().Perm())
	}
	// Confirmed now: no terminal needed, nothing asked.
	prompt.Reset()
	if err := (forge.KnownHosts{Dir: dir}).Confirm(host, api, "GitHub Enterprise Server"); err != nil {
		t.Fatal(err)
	}
	if err := (forge.KnownHosts{Dir: dir}).Confirm("other.example.com", "https://other.example.com/api/v3/", "GitHub Enterprise Server"); !errors.As(err, &uh) || uh.Declined {
		t.Fatalf("another host without a terminal: %v", err)
	}
	if prompt.Len() != 0 {
		t.Errorf("asked %q", prompt.String())
	}

	// A broken file is an error naming it, never a confirmation.
	if err := os.WriteFile(filepath.Join(dir, "hosts.yml"), []byte("hosts: {"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (forge.KnownHosts{Dir: dir}).Confirm(host, api, "GitHub Enterprise Server"); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "hosts.yml")) {
		t.Fatalf("broken file: %v", err)
	}
}
