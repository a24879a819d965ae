package validator

import (
	"fmt"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/seal"
)

// RuleDemoCertificate: nothing is sealed for the published demo
// certificate, whose private key anyone can read.
const RuleDemoCertificate = "demo-certificate"

// isDemoFingerprint reports whether fp is the demo certificate's.
func isDemoFingerprint(fp string) bool { return seal.IsDemoCertificate(fp) }

const demoKeyHint = "its private key is published (testdata/demo/key.pem in rtconf's source), so anyone can open what is sealed with it"

// demoPinFindings warns when rtconf.yaml pins the demo certificate: every
// token sealed for it is readable by anyone. One finding for the
// repository, not one per sealed secret.
func demoPinFindings(cfg *config.Config) []Finding {
	if !isDemoFingerprint(cfg.Sealing.Fingerprint) {
		return nil
	}
	at := cfg.Position("/sealing/fingerprint")
	return []Finding{{Path: cfg.File, Line: at.Line, Column: at.Column, Rule: RuleDemoCertificate, Severity: Warning,
		Message: "sealing.fingerprint pins the demo certificate: " + demoKeyHint,
		Hint:    "fine for a demo; before real use, pin your controller's certificate (kubeseal --fetch-cert > cert.pem; rtconf cert pin --cert cert.pem --yes) and seal every token again"}}
}

// demoSealed is the finding on a sealed secret sealed for the demo
// certificate while another one is pinned.
func demoSealed(what string, finding findingFunc) Finding {
	return finding("/metadata/annotations", false, RuleDemoCertificate, Warning,
		fmt.Sprintf("%s was sealed with the demo certificate: %s", what, demoKeyHint),
		"seal it again with the pinned certificate (rtconf seal, or rtconf token rotate for a new token), and revoke the token it holds")
}
