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
	// GoVersion is the Go toolchain rtconf is installed with.
	GoVersion string
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
	Checkout, SetupGo, UploadSARIF, UploadArtifact, DownloadArtifact string
}

// PinnedActions returns the actions the generated workflow uses.
func PinnedActions() Actions {
	return Actions{
		Checkout:         "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
		SetupGo:          "actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5 # v5.5.0",
		UploadSARIF:      "github/codeql-action/upload-sarif@ff0a06e83cb2de871e5a09832bc6a81e7276941f # v3.28.18",
		UploadArtifact:   "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
		DownloadArtifact: "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0",
	}
}

// workflowData is what the template reads: the workflow and its actions.
type workflowData struct {
	Workflow
	Actions Actions
}

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
