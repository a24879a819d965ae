package fakegithub

// Tests of the writes the fake applies, through go-github v60 as rtconf
// calls them, on github.com and on Enterprise.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/rtconf/rtconf/internal/testclock"
	"github.com/rtconf/rtconf/internal/testcreds"
)

// writeTokens are the tokens of the write tests, built at run time.
type writeTokens struct {
	admin, public, narrow, reader, outsider, fineAdmin, fineContents string
}

func newWriteTokens() writeTokens {
	return writeTokens{
		admin:        testcreds.Classic("admin"),
		public:       testcreds.Classic("public"),
		narrow:       testcreds.Classic("narrow"),
		reader:       testcreds.Classic("reader"),
		outsider:     testcreds.Classic("outsider"),
		fineAdmin:    testcreds.FineGrained("fineadmin"),
		fineContents: testcreds.FineGrained("finecontents"),
	}
}

func writeOptions(tk writeTokens, enterprise bool) Options {
	return Options{
		Now:        testclock.Fixed(testclock.Default()),
		Enterprise: enterprise,
		Tokens: []Token{
			{Value: tk.admin, Login: "robot", Scopes: []string{"repo"}},
			{Value: tk.public, Login: "robot", Scopes: []string{"public_repo"}},
			{Value: tk.narrow, Login: "robot", Scopes: []string{"read:org"}},
			{Value: tk.reader, Login: "reader", Scopes: []string{"repo"}},
			{Value: tk.outsider, Login: "outsider", Scopes: []string{"repo"}},
			{Value: tk.fineAdmin, Login: "robot", FineGrained: true, Repos: []string{"acme/config"},
				Permissions: map[string]string{"administration": "write", "contents": "write", "pull_requests": "write"}},
			{Value: tk.fineContents, Login: "robot", FineGrained: true, Repos: []string{"acme/config"},
				Permissions: map[string]string{"contents": "write", "pull_requests": "read"}},
		},
		Repos: []Repo{{Owner: "acme", Name: "config", Private: true, Collaborators: map[string]map[string]bool{
			"robot":  {"admin": true, "maintain": true, "push": true, "triage": true, "pull": true},
			"reader": {"pull": true},
		}}},
		Orgs: map[string][]string{"acme": {"robot", "reader"}},
	}
}

// ghClient is a go-github client for the fake, authenticated with token
// unless it is "".
func ghClient(t *testing.T, s *Server, token string) *github.Client {
	t.Helper()
	c := github.NewClient(s.Client())
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if s.opts.Enterprise {
		ec, err := c.WithEnterpriseURLs(s.URL(), s.URL())
		if err != nil {
			t.Fatal(err)
		}
		return ec
	}
	base, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	return c
}

// status is the HTTP status of a go-github call's response, 0 without one.
func status(resp *github.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// errorResponse returns err as a *github.ErrorResponse, failing the test
// otherwise.
func errorResponse(t *testing.T, err error) *github.ErrorResponse {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("error %v (%T), want a *github.ErrorResponse", err, err)
	}
	return er
}

func forBoth(t *testing.T, f func(t *testing.T, enterprise bool)) {
	for _, enterprise := range []bool{false, true} {
		name := "github.com"
		if enterprise {
			name = "enterprise"
		}
		t.Run(name, func(t *testing.T) { f(t, enterprise) })
	}
}

func TestBranchProtection(t *testing.T) {
	forBoth(t, func(t *testing.T, enterprise bool) {
		tk := newWriteTokens()
		o := writeOptions(tk, enterprise)
		o.BranchExists = func(owner, repo, branch string) bool { return branch != "missing" }
		s := New(t, o)
		ctx := context.Background()
		c := ghClient(t, s, tk.admin)

		if _, _, err := c.Repositories.GetBranchProtection(ctx, "acme", "config", "main"); !errors.Is(err, github.ErrBranchNotProtected) {
			t.Fatalf("before: %v, want github.ErrBranchNotProtected", err)
		}
		if _, ok := s.Protection("acme", "config", "main"); ok {
			t.Fatal("Protection before any PUT")
		}
		req := &github.ProtectionRequest{
			EnforceAdmins:              true,
			RequiredPullRequestReviews: &github.PullRequestReviewsEnforcementRequest{RequiredApprovingReviewCount: 1, DismissStaleReviews: true},
			RequiredStatusChecks:       &github.RequiredStatusChecks{Strict: true, Contexts: &[]string{"rtconf validate"}},
			AllowForcePushes:           github.Bool(false),
		}
		got, resp, err := c.Repositories.UpdateBranchProtection(ctx, "acme", "config", "main", req)
		if err != nil || status(resp) != 200 {
			t.Fatalf("update: %d %v", status(resp), err)
		}
		check := func(what string, p *github.Protection) {
			t.Helper()
			if !p.GetEnforceAdmins().Enabled || p.GetRequiredPullRequestReviews().RequiredApprovingReviewCount != 1 ||
				!p.GetRequiredPullRequestReviews().DismissStaleReviews || !p.GetRequiredStatusChecks().Strict ||
				cmp.Diff([]string{"rtconf validate"}, *p.GetRequiredStatusChecks().Contexts) != "" ||
				p.GetAllowForcePushes().Enabled || p.GetRestrictions() != nil ||
				!strings.HasPrefix(p.GetURL(), s.URL()+"repos/acme/config/branches/main/protection") {
				t.Errorf("%s: %+v", what, p)
			}
		}
		check("PUT answer", got)
		read, _, err := c.Repositories.GetBranchProtection(ctx, "acme", "config", "main")
		if err != nil {
			t.Fatalf("get after: %v", err)
		}
		check("GET after", read)
		raw, ok := s.Protection("ACME", "Config", "main")
		var stored github.Protection
		if !ok || json.Unmarshal(raw, &stored) != nil {
			t.Fatalf("Protection: %s %v", raw, ok)
		}
		check("Protection()", &stored)
		if _, ok := s.Protection("acme", "config", "Main"); ok {
			t.Error("branch names are case-sensitive")
		}

		// Nulls are allowed; keys are not optional; types are checked.
		for _, tc := range []struct{ body, message string }{
			{`{"required_status_checks":null,"enforce_admins":null,"required_pull_request_reviews":null,"restrictions":null}`, ""},
			{`{"required_status_checks":null}`, "Invalid request.\n\n\"enforce_admins\", \"required_pull_request_reviews\", \"restrictions\" weren't supplied."},
			{`{"required_status_checks":null,"enforce_admins":true,"required_pull_request_reviews":null}`, "Invalid request.\n\n\"restrictions\" wasn't supplied."},
			{`{"required_status_checks":null,"enforce_admins":"yes","required_pull_request_reviews":null,"restrictions":null}`, "Invalid request.\n\nFor 'properties/enforce_admins', \"yes\" is not a boolean or null."},
			{`{"required_status_checks":[],"enforce_admins":true,"required_pull_request_reviews":null,"restrictions":null}`, "Invalid request.\n\nFor 'properties/required_status_checks', [] is not an object or null."},
			{`{`, "Problems parsing JSON"},
		} {
			resp, body := call(t, s, "PUT", "/repos/acme/config/branches/dev/protection", tk.admin, tc.body)
			want := 200
			if tc.message != "" {
				want = 422
				if tc.message == "Problems parsing JSON" {
					want = 400
				}
			}
			if resp.StatusCode != want || (tc.message != "" && message(t, body) != tc.message) {
				t.Errorf("PUT %s: %d %s, want %d %q", tc.body, resp.StatusCode, body, want, tc.message)
			}
		}

		// A missing branch, and callers who may not protect.
		_, resp, err = c.Repositories.UpdateBranchProtection(ctx, "acme", "config", "missing", req)
		if status(resp) != 404 || errorResponse(t, err).Message != "Branch not found" {
			t.Errorf("missing branch: %d %v", status(resp), err)
		}
		for token, want := range map[string]int{tk.reader: 404, tk.narrow: 404, tk.fineContents: 403, "": 404} {
			_, resp, err := ghClient(t, s, token).Repositories.UpdateBranchProtection(ctx, "acme", "config", "release", req)
			if status(resp) != want {
				t.Errorf("token %.8s…: %d %v, want %d", token, status(resp), err, want)
			}
		}
		if _, ok := s.Protection("acme", "config", "release"); ok {
			t.Error("a refused PUT was stored")
		}
	})
}

func TestPullRequests(t *testing.T) {
	forBoth(t, func(t *testing.T, enterprise bool) {
		tk := newWriteTokens()
		o := writeOptions(tk, enterprise)
		o.BranchExists = func(owner, repo, branch string) bool { return !strings.HasPrefix(branch, "gone") }
		s := New(t, o)
		ctx := context.Background()
		c := ghClient(t, s, tk.admin)
		web := "https://github.com"
		if enterprise {
			web = strings.TrimSuffix(s.URL(), "/api/v3/")
		}

		newPR := &github.NewPullRequest{Title: github.String("Add runtime prod"), Head: github.String("rtconf/add-prod"),
			Base: github.String("main"), Body: github.String("Generated by rtconf.")}
		pr, resp, err := c.PullRequests.Create(ctx, "acme", "config", newPR)
		if err != nil || status(resp) != 201 {
			t.Fatalf("create: %d %v", status(resp), err)
		}
		if pr.GetNumber() != 1 || pr.GetHTMLURL() != web+"/acme/config/pull/1" || pr.GetState() != "open" ||
			pr.GetTitle() != "Add runtime prod" || pr.GetBody() != "Generated by rtconf." ||
			pr.GetHead().GetRef() != "rtconf/add-prod" || pr.GetHead().GetLabel() != "acme:rtconf/add-prod" ||
			pr.GetBase().GetRef() != "main" || pr.GetUser().GetLogin() != "robot" {
			t.Errorf("created %+v", pr)
		}

		for _, tc := range []struct {
			name  string
			pr    *github.NewPullRequest
			token string
			want  int
			error github.Error // the one error GitHub lists
		}{
			{name: "same head again", pr: newPR, token: tk.admin, want: 422,
				error: github.Error{Resource: "PullRequest", Code: "custom", Message: "A pull request already exists for acme:rtconf/add-prod."}},
			{name: "same head, owner given", token: tk.admin, want: 422,
				pr:    &github.NewPullRequest{Title: github.String("t"), Head: github.String("acme:rtconf/add-prod"), Base: github.String("main")},
				error: github.Error{Resource: "PullRequest", Code: "custom", Message: "A pull request already exists for acme:rtconf/add-prod."}},
			{name: "head is base", token: tk.admin, want: 422,
				pr:    &github.NewPullRequest{Title: github.String("t"), Head: github.String("main"), Base: github.String("main")},
				error: github.Error{Resource: "PullRequest", Code: "custom", Message: "No commits between main and main"}},
			{name: "head missing", token: tk.admin, want: 422,
				pr:    &github.NewPullRequest{Title: github.String("t"), Head: github.String("gone/branch"), Base: github.String("main")},
				error: github.Error{Resource: "PullRequest", Code: "invalid", Field: "head"}},
			{name: "no title", token: tk.admin, want: 422,
				pr:    &github.NewPullRequest{Head: github.String("rtconf/x"), Base: github.String("main")},
				error: github.Error{Resource: "PullRequest", Code: "missing_field", Field: "title"}},
			{name: "read-only fine-grained", pr: newPR, token: tk.fineContents, want: 403},
			{name: "no repo scope", pr: newPR, token: tk.narrow, want: 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, resp, err := ghClient(t, s, tc.token).PullRequests.Create(ctx, "acme", "config", tc.pr)
				er := errorResponse(t, err)
				if status(resp) != tc.want {
					t.Fatalf("status %d, want %d (%v)", status(resp), tc.want, err)
				}
				if tc.want == 422 && (len(er.Errors) != 1 || er.Errors[0] != tc.error || er.Message != "Validation Failed") {
					t.Errorf("errors %+v, want [%+v]", er.Errors, tc.error)
				}
			})
		}

		second, _, err := c.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{
			Title: github.String("Add runtime staging"), Head: github.String("rtconf/add-staging"), Base: github.String("main")})
		if err != nil || second.GetNumber() != 2 {
			t.Fatalf("second: %+v %v", second, err)
		}
		list := func(opts *github.PullRequestListOptions) []int {
			t.Helper()
			prs, _, err := c.PullRequests.List(ctx, "acme", "config", opts)
			if err != nil {
				t.Fatalf("list %+v: %v", opts, err)
			}
			var numbers []int
			for _, pr := range prs {
				numbers = append(numbers, pr.GetNumber())
			}
			return numbers
		}
		for _, tc := range []struct {
			opts *github.PullRequestListOptions
			want []int
		}{
			{opts: &github.PullRequestListOptions{}, want: []int{2, 1}},
			{opts: &github.PullRequestListOptions{State: "open", Head: "acme:rtconf/add-prod"}, want: []int{1}},
			{opts: &github.PullRequestListOptions{State: "open", Head: "acme:rtconf/other"}, want: nil},
			{opts: &github.PullRequestListOptions{State: "closed"}, want: nil},
			{opts: &github.PullRequestListOptions{State: "all", Base: "main"}, want: []int{2, 1}},
		} {
			if diff := cmp.Diff(tc.want, list(tc.opts)); diff != "" {
				t.Errorf("list %+v (-want +got):\n%s", tc.opts, diff)
			}
		}
		want := []PullRequest{
			{Number: 1, Title: "Add runtime prod", Body: "Generated by rtconf.", Head: "rtconf/add-prod", Base: "main"},
			{Number: 2, Title: "Add runtime staging", Head: "rtconf/add-staging", Base: "main"},
		}
		if diff := cmp.Diff(want, s.PullRequests("acme", "config"), cmpPR); diff != "" {
			t.Errorf("PullRequests (-want +got):\n%s", diff)
		}
	})
}

// cmpPR compares the exported fields of PullRequest.
var cmpPR = cmp.Comparer(func(a, b PullRequest) bool {
	return a.Number == b.Number && a.Title == b.Title && a.Body == b.Body && a.Head == b.Head && a.Base == b.Base
})

// The writes go through the same front door as every request: request log,
// Enterprise prefix, faults and rate limits.
func TestWritesTakeFaultsAndLimits(t *testing.T) {
	forBoth(t, func(t *testing.T, enterprise bool) {
		tk := newWriteTokens()
		s := New(t, writeOptions(tk, enterprise))
		ctx := context.Background()
		c := ghClient(t, s, tk.admin)

		s.Fault("/user/repos", 1, http.StatusBadGateway, nil, `{"message":"Server Error"}`)
		if _, resp, _ := c.Repositories.Create(ctx, "", &github.Repository{Name: github.String("r")}); status(resp) != 502 {
			t.Errorf("fault: status %d", status(resp))
		}
		if _, resp, err := c.Repositories.Create(ctx, "", &github.Repository{Name: github.String("r")}); err != nil {
			t.Errorf("after the fault: %d %v", status(resp), err)
		}
		s.SecondaryRateLimit(1, 30, false)
		_, _, err := c.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{
			Title: github.String("t"), Head: github.String("b"), Base: github.String("main")})
		var abuse *github.AbuseRateLimitError
		if !errors.As(err, &abuse) {
			t.Errorf("secondary limit: %v (%T)", err, err)
		}
		if len(s.PullRequests("acme", "config")) != 0 {
			t.Error("a rate-limited pull request was stored")
		}
		s.PrimaryRateLimit(1, s.start.Add(time.Hour))
		// A new client: go-github remembers the secondary limit and would not send.
		_, _, err = ghClient(t, s, tk.admin).Repositories.UpdateBranchProtection(ctx, "acme", "config", "main", &github.ProtectionRequest{})
		var limited *github.RateLimitError
		if !errors.As(err, &limited) {
			t.Errorf("primary limit: %v (%T)", err, err)
		}

		var paths []string
		for _, r := range s.Requests() {
			if r.Method != http.MethodGet {
				paths = append(paths, r.Method+" "+r.Path)
			}
		}
		want := []string{"POST /user/repos", "POST /user/repos", "POST /repos/acme/config/pulls", "PUT /repos/acme/config/branches/main/protection"}
		if diff := cmp.Diff(want, paths); diff != "" {
			t.Errorf("request log (-want +got):\n%s", diff)
		}
	})
}
