package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// probe says how to test one fine-grained permission on a repository.
type probe struct {
	read       func(o Options, branch string) (method, path string)
	write      func(o Options) (method, path string, body any)
	readOK     []int // statuses that show read access
	roleToFail string
}

func probes(name string) (probe, bool) {
	r := func(o Options) string { return repoPath(o) }
	switch name {
	case "contents":
		return probe{
			read: func(o Options, _ string) (string, string) { return http.MethodGet, r(o) + "/contents/" },
			write: func(o Options) (string, string, any) {
				return http.MethodPut, r(o) + "/contents/.rtconf-permission-probe", struct{}{}
			},
			readOK:     []int{200, 404},
			roleToFail: "push",
		}, true
	case "pull_requests":
		return probe{
			read:       func(o Options, _ string) (string, string) { return http.MethodGet, r(o) + "/pulls?per_page=1" },
			write:      func(o Options) (string, string, any) { return http.MethodPost, r(o) + "/pulls", struct{}{} },
			readOK:     []int{200},
			roleToFail: "push",
		}, true
	case "webhooks":
		return probe{
			read:       func(o Options, _ string) (string, string) { return http.MethodGet, r(o) + "/hooks?per_page=1" },
			write:      func(o Options) (string, string, any) { return http.MethodPost, r(o) + "/hooks", struct{}{} },
			readOK:     []int{200},
			roleToFail: "admin",
		}, true
	case "statuses":
		return probe{
			read: func(o Options, branch string) (string, string) {
				return http.MethodGet, r(o) + "/commits/" + url.PathEscape(branch) + "/statuses?per_page=1"
			},
			write: func(o Options) (string, string, any) {
				return http.MethodPost, r(o) + "/statuses/0000000000000000000000000000000000000000", map[string]string{"state": "rtconf-permission-probe"}
			},
			readOK:     []int{200, 404, 422},
			roleToFail: "push",
		}, true
	case "administration":
		return probe{
			read: func(o Options, branch string) (string, string) {
				return http.MethodGet, r(o) + "/branches/" + url.PathEscape(branch) + "/protection"
			},
			write: func(o Options) (string, string, any) {
				return http.MethodPatch, r(o), map[string]string{"visibility": "rtconf-permission-probe"}
			},
			readOK:     []int{200, 404},
			roleToFail: "admin",
		}, true
	}
	return probe{}, false
}

// Requests lists every request a check may send, for the documentation.
func Requests() []string {
	o := Options{Owner: "OWNER", Repo: "REPO"}
	out := []string{"GET /" + repoPath(o) + " (every token: access, scopes, expiry)"}
	for _, name := range []string{"administration", "contents", "pull_requests", "statuses", "webhooks"} {
		p, _ := probes(name)
		m, path := p.read(o, "BRANCH")
		out = append(out, fmt.Sprintf("%s /%s (fine-grained: %s read)", m, path, name))
	}
	for _, name := range []string{"administration", "contents", "pull_requests", "statuses", "webhooks"} {
		p, _ := probes(name)
		m, path, body := p.write(o)
		b, _ := json.Marshal(body)
		out = append(out, fmt.Sprintf("%s /%s with body %s (fine-grained, --probe-writes only: %s write; the invalid body makes GitHub answer 422 when allowed, so nothing changes)", m, path, b, name))
	}
	return out
}

// checkFineGrained probes the repository for each required permission.
func checkFineGrained(ctx context.Context, c *caller, kind Kind, o Options, res *Result) error {
	a, err := c.do(ctx, http.MethodGet, repoPath(o), nil)
	if err != nil {
		return err
	}
	if refused(a, res) {
		return nil
	}
	expiry(a, o, res)
	wants := fineGrainedWants(kind, o.Also)
	switch a.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		for _, p := range wants {
			res.Requirements = append(res.Requirements, Requirement{Name: p.String(), Verdict: Missing, Certainty: Observed,
				Detail: fmt.Sprintf("the token cannot see %s/%s (404): add the repository to the token's repository access", o.Owner, o.Repo)})
		}
		return nil
	default:
		for _, p := range wants {
			res.Requirements = append(res.Requirements, Requirement{Name: p.String(), Verdict: Unknown,
				Detail: fmt.Sprintf("GitHub answered %d to GET /%s", a.Status, repoPath(o))})
		}
		return nil
	}
	repo, err := readRepo(a, o, true)
	if err != nil {
		return err
	}
	if repo.DefaultBranch == "" {
		repo.DefaultBranch = "main"
	}
	for _, want := range wants {
		if want.Name == "metadata" {
			res.Requirements = append(res.Requirements, Requirement{Name: want.String(), Verdict: Granted, Certainty: Observed,
				Detail: "the token reads the repository"})
			continue
		}
		r, err := checkPermission(ctx, c, o, want, repo.DefaultBranch, repo.Permissions)
		if err != nil {
			return err
		}
		res.Requirements = append(res.Requirements, r)
	}
	return nil
}

func fineGrainedWants(kind Kind, also []Kind) []Permission {
	var out []Permission
	for _, k := range append([]Kind{kind}, also...) {
	next:
		for _, p := range fineGrainedRequirements(k) {
			for i, have := range out {
				if have.Name == p.Name {
					if p.Level == "write" {
						out[i].Level = "write"
					}
					continue next
				}
			}
			out = append(out, p)
		}
	}
	return out
}

func checkPermission(ctx context.Context, c *caller, o Options, want Permission, branch string, role map[string]bool) (Requirement, error) {
	req := Requirement{Name: want.String()}
	p, ok := probes(want.Name)
	if !ok {
		req.Verdict, req.Detail = Unknown, "rtconf has no probe for this permission"
		return req, nil
	}
	method, path := p.read(o, branch)
	a, err := c.do(ctx, method, path, nil)
	if err != nil {
		return req, err
	}
	readOK := slices.Contains(p.readOK, a.Status)
	if !readOK {
		req.Verdict, req.Certainty = Missing, Observed
		req.Detail = refusal(method, path, a)
		if a.Status != http.StatusForbidden {
			req.Verdict, req.Certainty = Unknown, ""
		}
		return req, nil
	}
	if want.Level == "read" {
		req.Verdict, req.Certainty, req.Detail = Granted, Observed, fmt.Sprintf("%s /%s answered %d", method, path, a.Status)
		return req, nil
	}
	if !o.ProbeWrites {
		if role != nil && !role[p.roleToFail] {
			req.Verdict, req.Certainty = Missing, Inferred
			req.Detail = fmt.Sprintf("read allowed; the token's user lacks the %q role on the repository, so no token of theirs can write", p.roleToFail)
			return req, nil
		}
		req.Verdict = Unknown
		req.Detail = "read allowed; write not probed (pass --probe-writes to test it with a request GitHub must refuse as invalid)"
		return req, nil
	}
	method, path, body := p.write(o)
	a, err = c.do(ctx, method, path, body)
	if err != nil {
		return req, err
	}
	switch a.Status {
	case http.StatusUnprocessableEntity:
		req.Verdict, req.Certainty = Granted, Observed
		req.Detail = fmt.Sprintf("%s /%s with an invalid body answered 422: allowed", method, path)
	case http.StatusForbidden, http.StatusNotFound:
		req.Verdict, req.Certainty = Missing, Observed
		req.Detail = refusal(method, path, a)
	default:
		req.Verdict = Unknown
		req.Detail = fmt.Sprintf("%s /%s answered %d, which tells neither way", method, path, a.Status)
	}
	return req, nil
}

func refusal(method, path string, a answer) string {
	d := fmt.Sprintf("%s /%s answered %d", method, path, a.Status)
	if acc := a.Header.Get("X-Accepted-GitHub-Permissions"); acc != "" {
		var alts []string
		for _, alt := range ParseAcceptedPermissions(acc) {
			var ps []string
			for _, p := range alt {
				ps = append(ps, p.String())
			}
			alts = append(alts, strings.Join(ps, " + "))
		}
		d += "; GitHub says it needs " + strings.Join(alts, " or ")
	}
	return d
}
