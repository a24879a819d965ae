package validator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
)

// RuleTokenLive is the rule of live checks of the tokens CI holds.
const RuleTokenLive = "token-live"

// Live asks Validate to check, against the Git host, the runtime tokens CI holds.
type Live struct {
	// Tokens maps a runtime name to its token; the key "" is the token of
	// every runtime without one of its own.
	Tokens map[string]token.Token
	// AppKeys maps a runtime name to the private key of the GitHub App
	// sealed as its runtime credential; "" is every runtime's.
	AppKeys map[string]token.Token
	// Check is the base of each check's options; the repository comes from
	// rtconf.yaml, the API from Trust (Check.APIURL is not read).
	Check forge.Options
	// Trust decides where the tokens may go: --api-url, GITHUB_API_URL in
	// GitHub Actions, or the API of repository.url's host.
	Trust forge.Trust
	// Progress, if set, is called before each distinct token is checked
	// (done of total checked so far) and once when all are; never from
	// two checks at once.
	Progress func(runtime string, done, total int)
	// Concurrency bounds the checks that run at once; 0 means
	// DefaultLiveConcurrency, 1 one after another.
	Concurrency int
}

// DefaultLiveConcurrency is how many distinct tokens are checked at once:
// few enough not to look like abuse to the host (GitHub asks for requests
// in series, but checks of distinct tokens count against distinct
// limits), many enough to hide the round trips of 100 runtimes.
const DefaultLiveConcurrency = 8

// destination resolves, once and only when a token is to be checked, where
// the tokens may go.
type destination struct {
	live *Live
	cfg  *config.Config
	done bool
	dest forge.Destination
	err  error
}

func (d *destination) get() (forge.Destination, error) {
	if !d.done {
		d.dest, d.err = d.live.Trust.Resolve(d.cfg.Forge(), d.cfg.Repository.URL, d.cfg.Repository.APIURL)
		d.done = true
	}
	return d.dest, d.err
}

// liveJob is one runtime's live check: the token CI holds for it and the
// findings that do not need the host (what the token must grant follows
// from rt.RuntimeTokenAsUserToken).
type liveJob struct {
	rt   config.Runtime
	tok  token.Token
	file string
	out  []Finding
	// check is false when nothing is to be sent (no token, or one that
	// may not go to the host).
	check bool
}

// liveKey is what a runtime's answer depends on: the token, and whether
// it must serve as user token too.
type liveKey struct {
	value  string
	asUser bool
}

type liveAnswer struct {
	res forge.Result
	err error
}

// liveToken is one distinct token to check, and the needs of the runtimes
// that use it (forge.NeedFor's runtimeTokenAsUserToken), in the order of
// first use.
type liveToken struct {
	job    liveJob // the first runtime's
	asUser []bool
}

// check sends the token once, for the union of its runtimes' needs, and
// judges each need from that one answer (forge.Narrow). A need the
// provider cannot judge from the union's answer gets a check of its own:
// a different question, never the same request twice.
func (t liveToken) check(ctx context.Context, f forge.Forge, o forge.Options) map[bool]liveAnswer {
	needs := make([]forge.Need, len(t.asUser))
	for i, asUser := range t.asUser {
		needs[i] = forge.NeedFor(forge.RuntimeToken, asUser)
	}
	wide := forge.Union(needs...)
	res, err := f.Check(ctx, t.job.tok, wide, o)
	out := map[bool]liveAnswer{}
	for i, asUser := range t.asUser {
		if err != nil {
			out[asUser] = liveAnswer{err: err}
			continue
		}
		if r, ok := forge.Narrow(f, res, wide, needs[i]); ok {
			out[asUser] = liveAnswer{res: r}
			continue
		}
		r, err := f.Check(ctx, t.job.tok, needs[i], o)
		out[asUser] = liveAnswer{res: r, err: err}
	}
	return out
}

// liveRuntimeFindings checks, when asked for live checks, the tokens CI
// holds for each of the scope's runtimes against the Git host: each
// distinct token once (for every need its runtimes have), up to
// Live.Concurrency at a time, backing off together on a rate limit
// (forge.Gate); findings come in the runtimes' order whatever order the
// answers come in.
func liveRuntimeFindings(ctx context.Context, r *repo, cfg *config.Config, live *Live, scope runtimeScope) []Finding {
	if cfg == nil || live == nil {
		return nil
	}
	where := &destination{live: live, cfg: cfg}
	o := live.Check
	o.Owner, o.Repo, _ = cfg.OwnerRepo()
	if o.Gate == nil {
		o.Gate = &forge.Gate{}
	}
	var jobs []liveJob
	byValue := map[string]int{} // index in toks
	var toks []liveToken        // one per distinct token, in order
	for _, rt := range cfg.Runtimes {
		if !scope.covers(rt.Name) {
			continue
		}
		j, ok := liveTarget(ctx, r, cfg, rt, live, where)
		if !ok {
			continue
		}
		if j.check {
			i, seen := byValue[j.tok.Reveal()]
			if !seen {
				i = len(toks)
				byValue[j.tok.Reveal()] = i
				toks = append(toks, liveToken{job: j})
			}
			if !slices.Contains(toks[i].asUser, rt.RuntimeTokenAsUserToken) {
				toks[i].asUser = append(toks[i].asUser, rt.RuntimeTokenAsUserToken)
			}
		}
		jobs = append(jobs, j)
	}
	if dest, err := where.get(); err == nil {
		o.APIURL = dest.APIURL
	}
	limit := live.Concurrency
	if limit <= 0 {
		limit = DefaultLiveConcurrency
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var mu sync.Mutex // serialises Progress and guards answers
	done := 0
	answers := map[liveKey]liveAnswer{}
	for _, t := range toks {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if live.Progress != nil {
				mu.Lock()
				live.Progress(t.job.rt.Name, done, len(toks))
				mu.Unlock()
			}
			got := t.check(ctx, cfg.Forge(), o)
			mu.Lock()
			for asUser, a := range got {
				answers[liveKey{t.job.tok.Reveal(), asUser}] = a
			}
			done++
			mu.Unlock()
		})
	}
	wg.Wait()
	if live.Progress != nil && len(toks) > 0 {
		live.Progress("", len(toks), len(toks))
	}
	var out []Finding
	for _, j := range jobs {
		out = append(out, j.out...)
		if j.check {
			a := answers[liveKey{j.tok.Reveal(), j.rt.RuntimeTokenAsUserToken}]
			out = append(out, checkFindings(j, a.res, a.err)...)
		}
	}
	return out
}

// liveTarget prepares the runtime's live check: which token CI holds for
// it, and the findings that need no request (a token of another host, a
// destination refused, a token other than the sealed one). ok is false
// when CI holds no token for it. When the token may not go to the API
// rtconf.yaml names, nothing is sent and that is an error of the runtime
// (so that every shard reports it for its own runtimes).
func liveTarget(ctx context.Context, r *repo, cfg *config.Config, rt config.Runtime, live *Live, where *destination) (liveJob, bool) {
	// A sealed GitHub App is checked here, one after another: Apps are
	// few, and each check signs its own JWT.
	if key, ok := appKeyFor(live, rt.Name); ok {
		if out, done := appLiveFindings(ctx, r, cfg, rt, key, live, where); done {
			return liveJob{rt: rt, out: out}, true
		}
	}
	tok, ok := live.Tokens[rt.Name]
	if !ok {
		if tok, ok = live.Tokens[""]; !ok {
			return liveJob{}, false
		}
	}
	j := liveJob{rt: rt, file: generator.RuntimeTokenPath(rt.Name)}
	own, err := cfg.Forge().ParseToken(tok.Credential())
	if err != nil {
		j.out = []Finding{{Path: cfg.File, Line: cfg.Position("/repository/provider").Line, Rule: RuleTokenLive, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("the runtime token CI holds for %s is not a %s token (repository.provider): %v", rt.Name, cfg.Forge().Title(), err),
			Hint:    "nothing was sent; give CI the runtime token of the repository's own Git host"}}
		return j, true
	}
	j.tok = own
	if _, err := where.get(); err != nil {
		j.out = []Finding{{Path: cfg.File, Line: cfg.Position("/repository/url").Line, Rule: RuleTokenLive, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("the runtime token of %s was not checked: %v", rt.Name, err),
			Hint:    "nothing was sent; a token goes only to the API of the Git host it belongs to"}}
		return j, true
	}
	if docs, err := r.documents(j.file); err == nil {
		for _, d := range docs {
			if d.kind != "SealedSecret" {
				continue
			}
			if fp := annotation(d, seal.AnnotationTokenFingerprint); fp != "" && fp != own.Fingerprint() {
				j.out = append(j.out, j.finding(Warning, fmt.Sprintf("the token CI holds for runtime %s (%s) is not the sealed one (%s)", rt.Name, own.Fingerprint(), fp),
					"update the CI secret, or seal CI's token with rtconf seal runtime-token"))
			}
		}
	}
	j.check = true
	return j, true
}

func (j liveJob) finding(sev Severity, msg, hint string) Finding {
	return Finding{Path: j.file, Rule: RuleTokenLive, Severity: sev, Message: msg, Hint: hint, Runtime: j.rt.Name}
}

// checkFindings phrases the answer of the runtime's check.
func checkFindings(j liveJob, res forge.Result, err error) []Finding {
	rt, f := j.rt, j.finding
	var unverified *forge.UnverifiedError
	if errors.As(err, &unverified) {
		return []Finding{f(Error, fmt.Sprintf("the runtime token of %s could not be checked: %s", rt.Name, unverified.Reason), "run again later; nothing was concluded")}
	}
	if err != nil {
		return []Finding{f(Error, err.Error(), "")}
	}
	var out []Finding
	rotate := "create a new token and seal it: rtconf seal runtime-token --runtime " + rt.Name
	for _, is := range res.Issues() {
		switch is.Kind {
		case forge.IssueInvalid:
			return append(out, f(Error, fmt.Sprintf("the runtime token of %s: %s", rt.Name, res.Problem), rotate))
		case forge.IssueExpired:
			out = append(out, f(Error, fmt.Sprintf("the runtime token of %s expired on %s", rt.Name, res.ExpiresAt.Format("2006-01-02")), rotate))
		case forge.IssueExpiring:
			out = append(out, f(Warning, fmt.Sprintf("the runtime token of %s expires on %s", rt.Name, res.ExpiresAt.Format("2006-01-02")), rotate))
		case forge.IssueMissing:
			req := is.Requirement
			out = append(out, f(Error, fmt.Sprintf("the runtime token of %s lacks %s (%s: %s)", rt.Name, req.Name, req.Certainty, req.Detail), rotate))
		case forge.IssueUnverified:
			req := is.Requirement
			out = append(out, f(Warning, fmt.Sprintf("the runtime token of %s: %s could not be verified: %s", rt.Name, req.Name, req.Detail), ""))
		}
	}
	return out
}

func annotation(d doc, key string) string {
	if d.node == nil || len(d.node.Content) == 0 {
		return ""
	}
	return scalarAt(child(child(d.node.Content[0], "metadata"), "annotations"), key)
}
