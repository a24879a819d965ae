package templates

import (
	"strconv"
	"strings"
)

// Workflow is what the CI file of the shared configuration repository is
// made from, whatever the provider: the GitHub Actions workflow
// (RenderWorkflow) or the GitLab CI/CD pipeline (RenderGitLabCI).
type Workflow struct {
	// Marker is the generator's "generated, do not edit" marker.
	Marker string
	// CheckName is the name of the job that branch protection requires.
	CheckName string
	// Branch is the branch Argo CD tracks; pushes to it are validated too.
	Branch string
	// Version is the rtconf release installed, vX.Y.Z.
	Version string
	// GoVersion is the Go toolchain rtconf is built with when its release
	// has no archive for the runner.
	GoVersion string
	// CodeScanning uploads the SARIF report to GitHub code scanning.
	CodeScanning bool
	// Shards is the number of validation jobs; 1 is a single job.
	Shards int
	// Cron is the schedule of the token expiry check.
	Cron string
	// ExpiryDays is the warning window of the token expiry check.
	ExpiryDays int
	// IssueTitle and IssueLabel find the one token expiry issue.
	IssueTitle, IssueLabel string
}

// Actions are the third-party actions the workflow uses, pinned to full
// commit SHAs (a tag can be moved; a commit cannot), with the release each
// SHA is as a comment for people and for update bots.
type Actions struct {
	Checkout, SetupGo, Cache, UploadSARIF, UploadArtifact, DownloadArtifact string
}

// PinnedActions returns the actions the generated workflow uses.
func PinnedActions() Actions {
	return Actions{
		Checkout:         "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
		SetupGo:          "actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5 # v5.5.0",
		Cache:            "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3",
		UploadSARIF:      "github/codeql-action/upload-sarif@ff0a06e83cb2de871e5a09832bc6a81e7276941f # v3.28.18",
		UploadArtifact:   "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
		DownloadArtifact: "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0",
	}
}

// Where the workflow gets rtconf: the archive of its release for the
// runner (named as .goreleaser.yaml names it, checked against the
// release's checksums file), or `go install` of Module when the release
// has no archive for the runner.
const (
	// ReleaseDownload is the base of a release's asset URLs; the tag
	// (vX.Y.Z) and the file name follow.
	ReleaseDownload = "https://github.com/rtconf/rtconf/releases/download"
	// Module is what `go install` builds when there is no archive.
	Module = "github.com/rtconf/rtconf/cmd/rtconf"
)

// workflowData is what the template reads: the workflow and its actions.
type workflowData struct {
	Workflow
	Actions Actions
}

// Release is ReleaseDownload, for the template.
func (workflowData) Release() string { return ReleaseDownload }

// Module is Module, for the template.
func (workflowData) Module() string { return Module }

// ShardList is "1, 2, 3" for three shards: the matrix values.
func (w workflowData) ShardList() string {
	s := make([]string, w.Shards)
	for i := range s {
		s[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(s, ", ")
}

// RenderWorkflow renders .github/workflows/rtconf.yml.
func RenderWorkflow(w Workflow) ([]byte, error) {
	return render("workflow.yml.tmpl", workflowData{Workflow: w, Actions: PinnedActions()})
}

// RenderGiteaWorkflow renders .gitea/workflows/rtconf.yml: the Gitea (and
// Forgejo) Actions workflow, in GitHub Actions' syntax, without what only
// GitHub serves (SARIF upload to code scanning, the gh CLI's expiry issue,
// the step summary): the job CheckName validates pull requests and pushes
// to Branch, and "rtconf token expiry" fails on schedule when a token
// expires soon.
func RenderGiteaWorkflow(w Workflow) ([]byte, error) {
	return render("gitea-workflow.yml.tmpl", workflowData{Workflow: w, Actions: PinnedActions()})
}

// GiteaStatusContext is the commit status Gitea Actions reports for the
// job named check of the workflow RenderGiteaWorkflow writes, on a pull
// request: "<workflow name> / <job name> (<event>)" (createCommitStatus in
// https://github.com/go-gitea/gitea/blob/main/services/actions/commit_status.go).
func GiteaStatusContext(check string) string { return "rtconf / " + check + " (pull_request)" }
