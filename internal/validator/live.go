package validator

import (
	"context"
	"errors"
	"fmt"
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

// liveJob is one runtime's live check: the token CI holds for it, what
// it must grant, and the findings that do not need the host.
type liveJob struct {
	rt   config.Runtime
	tok  token.Token
	need forge.Need
	file string
	out  []Finding
	// check is false when nothing is to be sent (no token, or one that
	// may not go to the host).
	check bool
}

// liveKey is what a check's answer depends on: the token, and whether it
// must serve as user token too. A token is sent once per key.
type liveKey struct {
	value  string
	asUser bool
}

type liveAnswer struct {
	res forge.Result
	err error
}

// liveRuntimeFindings checks, when asked for live checks, the tokens CI
// holds for each of the scope's runtimes against the Git host: each
// distinct token once, up to Live.Concurrency at a time, backing off
// together on a rate limit (forge.Gate); findings come in the runtimes'
// order whatever order the answers come in.
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
	answers := map[liveKey]*liveAnswer{}
	var keys []liveKey
	var toks []liveJob // one job per key, in order
	for _, rt := range cfg.Runtimes {
		if !scope.covers(rt.Name) {
			continue
		}
		j, ok := liveTarget(ctx, r, cfg, rt, live, where)
		if !ok {
			continue
		}
		if j.check {
			k := liveKey{j.tok.Reveal(), rt.RuntimeTokenAsUserToken}
			if _, seen := answers[k]; !seen {
				answers[k] = &liveAnswer{}
				keys = append(keys, k)
				toks = append(toks, j)
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
	var mu sync.Mutex // serialises Progress
	done := 0
	for i, k := range keys {
		j := toks[i]
		a := answers[k]
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if live.Progress != nil {
				mu.Lock()
				live.Progress(j.rt.Name, done, len(keys))
				mu.Unlock()
			}
			a.res, a.err = cfg.Forge().Check(ctx, j.tok, j.need, o)
			mu.Lock()
			done++
			mu.Unlock()
		})
	}
	wg.Wait()
	if live.Progress != nil && len(keys) > 0 {
		live.Progress("", len(keys), len(keys))
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
	j := liveJob{rt: rt, file: generator.RuntimeTokenPath(rt.Name), need: forge.NeedFor(forge.RuntimeToken, rt.RuntimeTokenAsUserToken)}
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
