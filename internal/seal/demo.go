package seal

import (
	"strings"
	"sync"

	"github.com/rtconf/rtconf/templates"
)

// demoFingerprint is the fingerprint of templates.DemoCertificate(), the
// certificate `rtconf init --demo` seals with. Its private key is
// published, so what is sealed with it is readable by anyone.
var demoFingerprint = sync.OnceValue(func() string {
	cert, err := ParseCertificate("demo certificate", templates.DemoCertificate())
	if err != nil {
		return ""
	}
	return cert.Fingerprint
})

// IsDemoCertificate reports whether fingerprint is the demo certificate's.
func IsDemoCertificate(fingerprint string) bool {
	demo := demoFingerprint()
	return demo != "" && strings.EqualFold(strings.TrimSpace(fingerprint), demo)
}

// DemoTokenPrefix starts every fake token `rtconf init --demo` seals: no
// Git host issued it.
const DemoTokenPrefix = "ghp_rtconfDEMOnotAREALtoken"

// IsDemoToken reports whether a token's value is one of the demo's fake
// tokens; any other token is taken for a real one.
func IsDemoToken(value string) bool { return strings.HasPrefix(value, DemoTokenPrefix) }
