package bitbucketdc

import (
	"strings"

	"github.com/rtconf/rtconf/internal/forge"
)

// apiPath is where Bitbucket Data Center serves its core REST API:
// https://HOST/rest/api/1.0/ (https://developer.atlassian.com/server/bitbucket/rest/v906/intro/#about;
// "latest" is an alias of the newest version). Its other REST APIs
// (access-tokens, branch-permissions, required-builds) sit beside it under
// https://HOST/rest/.
const apiPath = "/rest/api/1.0/"

// urlForm is how repository.url is written: Bitbucket's HTTP clone URL.
const urlForm = "https://HOST/scm/PROJECT/REPO.git"

// AllowedAPIURL binds a token to its host: a token for the repository at
// repoURL may only be sent to https://HOST/rest/api/1.0/ of that
// repository's HOST (and the REST APIs beside it). configured
// (repository.apiURL) may only name that same API. Bitbucket under a
// context path (https://HOST/bitbucket/…) is not supported: its API cannot
// be told from repository.url.
func AllowedAPIURL(repoURL, configured string) (string, error) {
	host, err := forge.RepoHost(repoURL, urlForm)
	if err != nil {
		return "", err
	}
	return forge.ConfiguredAPI(configured, "https://"+host+apiPath, host, "Bitbucket Data Center")
}

// GitHost is the host of the API at apiURL: Bitbucket serves Git (/scm/)
// and its API from one host.
func GitHost(apiURL string) string { return forge.APIHost(apiURL) }

// RepoPath splits /scm/PROJECT/REPO[.git], Bitbucket's HTTP clone path,
// into the project's key (~USER for a personal project) and the
// repository's slug
// (https://confluence.atlassian.com/bitbucketserver/clone-a-repository-790632786.html).
func RepoPath(path string) (namespace, name, hint string) {
	const want = "write " + urlForm + ", the repository's HTTP clone URL"
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 3 || parts[0] != "scm" || !validKey(parts[1]) {
		return "", "", want
	}
	name = strings.TrimSuffix(parts[2], ".git")
	if name == "" || name == "." || name == ".." {
		return "", "", want
	}
	return parts[1], name, ""
}

// validKey: a project key is letters, digits and underscores; a personal
// project's is ~ and the user's slug.
func validKey(k string) bool {
	k = strings.TrimPrefix(k, "~")
	if k == "" || k == "." || k == ".." {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')) {
			return false
		}
	}
	return true
}
