package validator

import (
	"context"
	"errors"
	"fmt"

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
}

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

// liveFindings checks the runtime's token as CI holds it, and compares it
// with the one sealed in the overlay. When the token may not go to the API
// rtconf.yaml names, nothing is sent and that is an error of the runtime
// (so that every shard reports it for its own runtimes).
func liveFindings(ctx context.Context, r *repo, cfg *config.Config, rt config.Runtime, live *Live, where *destination) []Finding {
	if key, ok := appKeyFor(live, rt.Name); ok {
		if out, done := appLiveFindings(ctx, r, cfg, rt, key, live, where); done {
			return out
		}
	}
	tok, ok := live.Tokens[rt.Name]
	if !ok {
		if tok, ok = live.Tokens[""]; !ok {
			return nil
		}
	}
	own, err := cfg.Forge().ParseToken(tok.Reveal())
	if err != nil {
		return []Finding{{Path: cfg.File, Line: cfg.Position("/repository/provider").Line, Rule: RuleTokenLive, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("the runtime token CI holds for %s is not a %s token (repository.provider): %v", rt.Name, cfg.Forge().Title(), err),
			Hint:    "nothing was sent; give CI the runtime token of the repository's own Git host"}}
	}
	tok = own
	dest, err := where.get()
	if err != nil {
		return []Finding{{Path: cfg.File, Line: cfg.Position("/repository/url").Line, Rule: RuleTokenLive, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("the runtime token of %s was not checked: %v", rt.Name, err),
			Hint:    "nothing was sent; a token goes only to the API of the Git host it belongs to"}}
	}
	file := generator.RuntimeTokenPath(rt.Name)
	f := func(sev Severity, msg, hint string) Finding {
		return Finding{Path: file, Rule: RuleTokenLive, Severity: sev, Message: msg, Hint: hint, Runtime: rt.Name}
	}
	o := live.Check
	o.Owner, o.Repo, _ = cfg.OwnerRepo()
	o.APIURL = dest.APIURL
	var out []Finding
	if docs, err := r.documents(file); err == nil {
		for _, d := range docs {
			if d.kind != "SealedSecret" {
				continue
			}
			if fp := annotation(d, seal.AnnotationTokenFingerprint); fp != "" && fp != tok.Fingerprint() {
				out = append(out, f(Warning, fmt.Sprintf("the token CI holds for runtime %s (%s) is not the sealed one (%s)", rt.Name, tok.Fingerprint(), fp),
					"update the CI secret, or seal CI's token with rtconf seal runtime-token"))
			}
		}
	}
	res, err := cfg.Forge().Check(ctx, tok, forge.NeedFor(forge.RuntimeToken, rt.RuntimeTokenAsUserToken), o)
	var unverified *forge.UnverifiedError
	if errors.As(err, &unverified) {
		return append(out, f(Error, fmt.Sprintf("the runtime token of %s could not be checked: %s", rt.Name, unverified.Reason), "run again later; nothing was concluded"))
	}
	if err != nil {
		return append(out, f(Error, err.Error(), ""))
	}
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
