package workspace

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/seal"
)

// RefusedError is a token the live check found lacking.
type RefusedError struct {
	Reasons []string
	// What is refused: "the token" when empty.
	What string
	// Into says where it was to be sealed, when that is several runtimes:
	// "into the runtime tokens of 2 runtimes (a, b)"; empty for one.
	Into string
}

func (e *RefusedError) Error() string {
	what := e.What
	if what == "" {
		what = "the token"
	}
	into := ""
	if e.Into != "" {
		into = " " + e.Into
	}
	return "refusing to seal " + what + into + ": " + strings.Join(e.Reasons, "; ") +
		" (fix " + what + ", or pass --skip-live-check to seal it unverified)"
}

// liveCheck checks the token against its Git host for need unless told
// not to, and returns the annotations that record the result.
func liveCheck(ctx context.Context, cfg *config.Config, need forge.Need, opts SealOptions) (map[string]string, []string, error) {
	now := opts.Now.UTC().Format(time.RFC3339)
	if opts.SkipLiveCheck {
		return map[string]string{seal.AnnotationVerification: seal.VerificationUnverified},
			[]string{"sealed without a live check: the token's scopes and expiry are unverified"}, nil
	}
	f := cfg.Forge()
	live := opts.Live
	if live.Owner == "" {
		live.Owner, live.Repo, _ = cfg.OwnerRepo()
	}
	dest, err := opts.Trust.Resolve(f, cfg.Repository.URL, cfg.Repository.APIURL)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; nothing was sent (pass --skip-live-check to seal the token unverified)", err)
	}
	live.APIURL = dest.APIURL
	live.Now = opts.Now
	res, err := f.Check(ctx, opts.Token, need, live)
	if err != nil {
		return nil, nil, fmt.Errorf("%w; pass --skip-live-check to seal it unverified", err)
	}
	reasons, warnings := refusals(res)
	if reasons != nil {
		return nil, nil, &RefusedError{Reasons: reasons}
	}
	record := map[string]string{
		seal.AnnotationVerification: seal.VerificationVerified,
		seal.AnnotationCheckedAt:    now,
		seal.AnnotationScopes:       strings.Join(res.Granted(), ", "),
	}
	if res.Outcome() == forge.Inconclusive {
		record[seal.AnnotationVerification] = seal.VerificationPartial
	}
	if !res.ExpiresAt.IsZero() {
		record[seal.AnnotationExpiresAt] = res.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return record, warnings, nil
}

// refusals phrases a check's issues for sealing: the reasons to refuse the
// token, and the warnings to seal it with.
func refusals(res forge.Result) (reasons, warnings []string) {
	var expiring []string
	for _, is := range res.Issues() {
		switch is.Kind {
		case forge.IssueInvalid:
			reasons = append(reasons, res.Problem)
		case forge.IssueExpired:
			reasons = append(reasons, "the token expired on "+res.ExpiresAt.Format(time.RFC3339))
		case forge.IssueMissing:
			reasons = append(reasons, fmt.Sprintf("%s is missing (%s)", is.Requirement.Name, is.Requirement.Detail))
		case forge.IssueUnverified:
			warnings = append(warnings, fmt.Sprintf("%s could not be verified: %s", is.Requirement.Name, is.Requirement.Detail))
		case forge.IssueExpiring:
			expiring = append(expiring, "the token expires on "+res.ExpiresAt.Format(time.RFC3339)+": rotate it soon")
		}
	}
	return reasons, append(warnings, expiring...)
}
