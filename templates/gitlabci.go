package templates

// RenderGitLabCI renders .gitlab-ci.yml: the GitLab CI/CD pipeline that
// does what RenderWorkflow's GitHub Actions workflow does, from the same
// Workflow. Jobs: CheckName validates merge requests and pushes to Branch
// (with Shards > 1, the "CheckName shard" jobs of parallel: Shards validate
// and CheckName gathers them), and "rtconf token expiry" runs in scheduled
// pipelines. Cron is only named in a comment: GitLab keeps schedules out of
// the file.
//
// Branch is the branch's name as it is, not a pattern: GitLab compares it
// to CI_COMMIT_BRANCH as a string (a GitHub filter pattern's escapes would
// become part of the name).
func RenderGitLabCI(w Workflow) ([]byte, error) {
	return render("gitlab-ci.yml.tmpl", w)
}
