package gitrepo_test

import (
	"testing"

	"github.com/rtconf/rtconf/internal/gitrepo"
)

// TestRemoteHost: every form of Git URL gives the host it reaches, written
// as forge.Host writes hosts, so that a push URL can be compared with
// repository.url's host.
func TestRemoteHost(t *testing.T) {
	for url, want := range map[string]string{
		"https://github.com/acme/shared.git":           "github.com",
		"https://GitHub.com:443/acme/shared":           "github.com",
		"https://x-access-token:t@ghe.example.com/a/b": "ghe.example.com",
		"https://ghe.example.com:8443/a/b.git":         "ghe.example.com:8443",
		"http://127.0.0.1:38211/acme/shared.git":       "127.0.0.1:38211",
		"http://127.0.0.1:80/acme/shared.git":          "127.0.0.1",
		"git@github.com:acme/shared.git":               "github.com",
		"ssh://git@ghe.example.com:2222/a/b.git":       "ghe.example.com:2222",
		"https://[::1]:8443/a/b":                       "[::1]:8443",
		"file:///srv/git/shared.git":                   "",
		"/srv/git/shared.git":                          "",
	} {
		got, err := gitrepo.RemoteHost(url)
		if err != nil || got != want {
			t.Errorf("RemoteHost(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	if got := gitrepo.DisplayURL("https://x-access-token:secret@ghe.example.com/a/b?x=1"); got != "https://ghe.example.com/a/b" {
		t.Errorf("DisplayURL = %q", got)
	}
}
