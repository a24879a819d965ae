package templates

import "strconv"

// RenderBitbucketPipelines renders bitbucket-pipelines.yml: the Bitbucket
// Pipelines configuration that does what RenderWorkflow's GitHub Actions
// workflow does, from the same Workflow. The step CheckName validates
// every pull request and the pushes to Branch (with Shards > 1, parallel
// "CheckName shard I/N" steps validate and CheckName gathers them); the
// custom pipeline rtconf-token-expiry, run on a schedule, fails while a
// sealed token expires within ExpiryDays. rtconf is the release archive,
// checked against the release's checksums, as the GitHub workflow installs
// it. Findings are a JUnit report under test-results/, which Pipelines
// shows in the step's Tests tab
// (https://support.atlassian.com/bitbucket-cloud/docs/test-reporting-in-pipelines/),
// and the text report in the step's log.
func RenderBitbucketPipelines(w Workflow) ([]byte, error) {
	return render("bitbucket-pipelines.yml.tmpl", bitbucketData{workflowData{Workflow: w}})
}

type bitbucketData struct{ workflowData }

// ShardNumbers are 1 … Shards.
func (d bitbucketData) ShardNumbers() []string {
	out := make([]string, d.Shards)
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}
