package validator

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rtconf/rtconf/internal/forge"
	"github.com/rtconf/rtconf/internal/labels"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/internal/token"
)

// expiryWarning: a sealed token expiring sooner gets a warning.
const expiryWarning = 14 * 24 * time.Hour

// tokenRecord checks what rtconf recorded when it sealed a token: its
// expiry, whether it was checked live, and the scopes it was found to have.
func (c *objectChecker) tokenRecord(obj map[string]any, what string, finding findingFunc) []Finding {
	ann, _ := nestedMap(obj, "metadata", "annotations")
	lbl, _ := nestedMap(obj, "metadata", "labels")
	use, _ := lbl[labels.Token].(string)
	if use == "" {
		return nil
	}
	str := func(k string) string { v, _ := ann[k].(string); return v }
	var out []Finding
	reseal, rotateCmd := sealCommands(use, lbl)
	if str(seal.AnnotationTokenKind) == appKind {
		reseal, rotateCmd = appCommands(str, lbl)
		out = append(out, c.appOnRuntime(lbl)...)
	}
	rotate := "rotate it: " + rotateCmd + " (seals a new token, checked live)"
	if exp := str(seal.AnnotationExpiresAt); exp != "" {
		if t, err := time.Parse(time.RFC3339, exp); err == nil {
			switch {
			case !c.now.Before(t):
				out = append(out, finding("/metadata/annotations", false, RuleTokenRecord, Error,
					fmt.Sprintf("%s holds a token that expired on %s: Argo CD can no longer use it", what, t.Format("2006-01-02")), rotate))
			case t.Sub(c.now) < expiryWarning:
				out = append(out, finding("/metadata/annotations", false, RuleTokenRecord, Warning,
					fmt.Sprintf("%s holds a token that expires on %s, in %d days", what, t.Format("2006-01-02"), int(t.Sub(c.now).Hours()/24)), rotate))
			}
		}
	}
	switch str(seal.AnnotationVerification) {
	case seal.VerificationUnverified:
		out = append(out, finding("/metadata/annotations", false, RuleTokenRecord, Warning,
			fmt.Sprintf("%s was sealed without a live check: its scopes and expiry are unknown", what),
			// token check writes nothing: only a sealing with a live
			// check records the result this warning is about.
			"seal it again with a live check (without --skip-live-check): "+reseal+", or "+rotateCmd+" for a new token"))
	case seal.VerificationPartial:
		out = append(out, finding("/metadata/annotations", false, RuleTokenRecord, Note,
			fmt.Sprintf("%s was sealed after a partial live check: some permissions could not be observed", what),
			"seal it again with --probe-writes to observe them: "+reseal+" --probe-writes"))
	case seal.VerificationVerified:
		out = append(out, c.recordedScopes(str, use, lbl, what, finding)...)
	}
	return out
}

func (c *objectChecker) recordedScopes(str func(string) string, use string, lbl map[string]any, what string, finding findingFunc) []Finding {
	need := forge.NeedFor(forge.UserToken, false)
	if use == labels.TokenRuntime {
		asUser := false
		if rtName, _ := lbl[labels.Runtime].(string); c.cfg != nil {
			rt, ok := c.cfg.Runtime(rtName)
			asUser = ok && rt.RuntimeTokenAsUserToken
		}
		need = forge.NeedFor(forge.RuntimeToken, asUser)
	}
	tk := token.Kind(str(seal.AnnotationTokenKind))
	var granted []string
	for _, s := range strings.Split(str(seal.AnnotationScopes), ",") {
		if s = strings.TrimSpace(s); s != "" {
			granted = append(granted, s)
		}
	}
	var missing []string
	for _, want := range c.cfg.Forge().RequirementNames(tk, need) {
		if !slices.Contains(granted, want) {
			missing = append(missing, want)
		}
	}
	if missing == nil {
		return nil
	}
	_, rotateCmd := sealCommands(use, lbl)
	if tk == appKind {
		_, rotateCmd = appCommands(str, lbl)
		return []Finding{finding("/metadata/annotations", false, RuleTokenRecord, Error,
			fmt.Sprintf("%s holds a GitHub App whose installation lacked %s when it was checked", what, strings.Join(missing, ", ")),
			"grant them in the App's permissions (the owner accepts the change), then seal it again: "+rotateCmd)}
	}
	return []Finding{finding("/metadata/annotations", false, RuleTokenRecord, Error,
		fmt.Sprintf("%s holds a token that lacked %s when it was checked", what, strings.Join(missing, ", ")),
		"create a token with them and seal it in place of this one: "+rotateCmd)}
}

// sealCommands names the commands that seal again the token of a sealed
// secret with labels lbl: the same token (seal, which checks it live) and
// a new one (token rotate).
func sealCommands(use string, lbl map[string]any) (reseal, rotate string) {
	rt, _ := lbl[labels.Runtime].(string)
	if rt == "" {
		rt = "NAME"
	}
	if use == labels.TokenUser {
		user, _ := lbl[labels.User].(string)
		if user == "" {
			user = "LOGIN"
		}
		return "rtconf seal user-token --runtime " + rt + " --user " + user,
			"rtconf token rotate --runtime " + rt + " --user " + user
	}
	return "rtconf seal runtime-token --runtime " + rt, "rtconf token rotate --runtime " + rt
}

// appKind is the token kind of sealed GitHub App credentials.
const appKind = "github-app"

// appCommands name the command that seals an App's credentials again.
func appCommands(str func(string) string, lbl map[string]any) (reseal, rotate string) {
	rt, _ := lbl[labels.Runtime].(string)
	if rt == "" {
		rt = "NAME"
	}
	id := str(seal.AnnotationAppID)
	if id == "" {
		id = "ID"
	}
	cmd := "rtconf seal github-app --runtime " + rt + " --app-id " + id + " --private-key-file FILE"
	return cmd, cmd
}

// appOnRuntime checks that the runtime of sealed App credentials may have
// them: a GitHub App never serves as users' tokens, and only a provider
// with Apps has them.
func (c *objectChecker) appOnRuntime(lbl map[string]any) []Finding {
	if c.cfg == nil {
		return nil
	}
	name, _ := lbl[labels.Runtime].(string)
	for i, rt := range c.cfg.Runtimes {
		if rt.Name != name {
			continue
		}
		if _, ok := c.cfg.Forge().(forge.Apps); !ok {
			at := c.cfg.Position("/repository/provider")
			return []Finding{{Path: c.cfg.File, Line: at.Line, Column: at.Column, Rule: RuleConfig, Severity: Error, Runtime: rt.Name,
				Message: fmt.Sprintf("runtime %s has GitHub App credentials, but %s has no Apps", rt.Name, c.cfg.Forge().Title()),
				Hint:    "seal a runtime token in their place: rtconf seal runtime-token --runtime " + rt.Name + " --replace"}}
		}
		if rt.RuntimeTokenAsUserToken {
			at := c.cfg.Position(fmt.Sprintf("/runtimes/%d/runtimeTokenAsUserToken", i))
			return []Finding{{Path: c.cfg.File, Line: at.Line, Column: at.Column, Rule: RuleConfig, Severity: Error, Runtime: rt.Name,
				Message: fmt.Sprintf("runtime %s has runtimeTokenAsUserToken: true, but its Git credential is a GitHub App, which acts as itself and never as a user: its users have no Git token", rt.Name),
				Hint:    "set runtimeTokenAsUserToken to false and seal each user's token (rtconf seal user-token), or seal a runtime token in the App's place (rtconf seal runtime-token --replace)"}}
		}
	}
	return nil
}
