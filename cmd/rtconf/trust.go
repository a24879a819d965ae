package main

import (
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/rtconf/rtconf/internal/forge"
)

// trust is where a token may go: --api-url (the user's own choice, any
// host), GITHUB_API_URL in GitHub Actions and CI_API_V4_URL in GitLab CI
// (the runner's API, which a pull request cannot change), and the
// self-managed hosts the user confirmed, in os.UserConfigDir()/rtconf/hosts.yml. An
// unconfirmed host is asked about only when standard input and standard
// error are a terminal. This is the one place that reads these from the
// environment.
func trust(c *cli.Context) forge.Trust {
	t := forge.Trust{APIURL: c.String("api-url")}
	switch {
	case os.Getenv("GITHUB_ACTIONS") == "true":
		t.CIAPIURL = os.Getenv("GITHUB_API_URL")
	case os.Getenv("GITLAB_CI") == "true":
		// GitLab CI's predefined variable: the API of the instance the job
		// runs on (https://docs.gitlab.com/ci/variables/predefined_variables/).
		t.CIAPIURL, t.CIVar, t.CIName = os.Getenv("CI_API_V4_URL"), "CI_API_V4_URL", "GitLab CI"
	}
	if dir, err := os.UserConfigDir(); err == nil {
		t.Hosts.Dir = filepath.Join(dir, "rtconf")
	}
	if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) && isTerminal(c.App.ErrWriter) {
		t.Hosts.Prompt, t.Hosts.Answer = c.App.ErrWriter, c.App.Reader
	}
	return t
}
