package validator

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/rtconf/rtconf/generator"
	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
)

// appKeyFor is the GitHub App private key CI holds for rt: its own, else
// the one of every runtime.
func appKeyFor(live *Live, rt string) (token.Token, bool) {
	if k, ok := live.AppKeys[rt]; ok {
		return k, true
	}
	k, ok := live.AppKeys[""]
	return k, ok
}

// appLiveFindings checks, with the private key CI holds, the GitHub App
// sealed as rt's runtime credential: the App and installation the sealed
// file names, against the runtime's requirements. done is false when no
// App is sealed for rt (the token check, if any, goes on).
func appLiveFindings(ctx context.Context, r *repo, cfg *config.Config, rt config.Runtime, key token.Token, live *Live, where *destination) (out []Finding, done bool) {
	apps, ok := cfg.Forge().(forge.Apps)
	if !ok {
		return nil, false
	}
	file := generator.RuntimeTokenPath(rt.Name)
	docs, err := r.documents(file)
	if err != nil {
		return nil, false
	}
	var app forge.App
	var sealedKey string
	for _, d := range docs {
		if d.kind != "SealedSecret" || annotation(d, seal.AnnotationTokenKind) != appKind {
			continue
		}
		app.ID, _ = strconv.ParseInt(annotation(d, seal.AnnotationAppID), 10, 64)
		if d.node != nil && len(d.node.Content) > 0 {
			data := child(child(child(d.node.Content[0], "spec"), "template"), "data")
			app.InstallationID, _ = strconv.ParseInt(scalarAt(data, "githubAppInstallationID"), 10, 64)
		}
		sealedKey = annotation(d, seal.AnnotationAppKey)
	}
	if app.ID == 0 {
		return nil, false
	}
	app.Key = key
	f := func(sev Severity, msg, hint string) Finding {
		return Finding{Path: file, Rule: RuleTokenLive, Severity: sev, Message: msg, Hint: hint, Runtime: rt.Name}
	}
	if fp := apps.AppKeyFingerprint(key); sealedKey != "" && fp != sealedKey {
		out = append(out, f(Warning, fmt.Sprintf("the GitHub App key CI holds for runtime %s (%s) is not the sealed one (%s)", rt.Name, fp, sealedKey),
			"update the CI secret, or seal CI's key with rtconf seal github-app"))
	}
	dest, err := where.get()
	if err != nil {
		return append(out, Finding{Path: cfg.File, Line: cfg.Position("/repository/url").Line, Rule: RuleTokenLive, Severity: Error, Runtime: rt.Name,
			Message: fmt.Sprintf("the GitHub App of %s was not checked: %v", rt.Name, err),
			Hint:    "nothing was sent; an App's JWT goes only to the API of the Git host it belongs to"}), true
	}
	o := live.Check
	o.Owner, o.Repo, _ = cfg.OwnerRepo()
	o.APIURL = dest.APIURL
	res, err := apps.CheckApp(ctx, app, forge.NeedFor(forge.RuntimeToken, false), o)
	var unverified *forge.UnverifiedError
	switch {
	case errors.As(err, &unverified):
		return append(out, f(Error, fmt.Sprintf("the GitHub App of %s could not be checked: %s", rt.Name, unverified.Reason), "run again later; nothing was concluded")), true
	case err != nil:
		return append(out, f(Error, err.Error(), "")), true
	}
	reseal := fmt.Sprintf("fix the App, then seal it again: rtconf seal github-app --runtime %s --app-id %d --private-key-file FILE", rt.Name, app.ID)
	for _, is := range res.Issues() {
		switch is.Kind {
		case forge.IssueInvalid:
			return append(out, f(Error, fmt.Sprintf("the GitHub App of %s: %s", rt.Name, res.Problem), reseal)), true
		case forge.IssueMissing:
			req := is.Requirement
			out = append(out, f(Error, fmt.Sprintf("the GitHub App of %s lacks %s (%s: %s)", rt.Name, req.Name, req.Certainty, req.Detail), reseal))
		case forge.IssueUnverified:
			req := is.Requirement
			out = append(out, f(Warning, fmt.Sprintf("the GitHub App of %s: %s could not be verified: %s", rt.Name, req.Name, req.Detail), ""))
		}
	}
	return out, true
}
