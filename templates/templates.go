// Package templates holds the text rtconf writes that is not a Kubernetes
// object: READMEs for the shared configuration repository, its CI file (a
// GitHub Actions workflow or a GitLab CI/CD pipeline) and the demo
// configuration. Kubernetes objects are built as typed structs by the
// generator, never from templates.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

//go:embed *.tmpl demo
var files embed.FS

// RepoREADME renders the README of a new shared configuration repository.
func RepoREADME(d RepoDoc) ([]byte, error) {
	return render("repo-readme.md.tmpl", d)
}

// RepoDoc is what the repository's README says of its Git host, in the
// host's own words (its provider supplies them).
type RepoDoc struct {
	RepoURL string
	// Host is the host's name: "GitHub".
	Host string
	// CIFile is the CI file rtconf writes; "" when it writes none.
	CIFile string
	// ChangeRequest is what the host calls one: "pull request".
	ChangeRequest string
	// Protect says how to require the check: "require the status check
	// `rtconf validate`".
	Protect string
	// CISecret is where CI keeps the runtime token: "the Actions secret".
	CISecret string
	// Expiry says what CI does about a token that expires soon, when it is
	// not "The daily run opens an issue…" (one or more sentences).
	Expiry string
}

// ResourcesREADME renders the README of a folder under resources/.
func ResourcesREADME(path, purpose string) ([]byte, error) {
	return render("resources-readme.md.tmpl", struct{ Path, Purpose string }{path, purpose})
}

// DemoConfig is the rtconf.yaml that `rtconf init --demo` writes.
func DemoConfig() []byte { return readEmbedded("demo/rtconf.yaml") }

// DemoCertificate is a sealed-secrets certificate for demos only: its
// private key is published with rtconf's tests.
func DemoCertificate() []byte { return readEmbedded("demo/cert.pem") }

func render(name string, data any) ([]byte, error) {
	// actions-install.tmpl defines the steps that install rtconf, which
	// the GitHub and Gitea Actions workflows share.
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"quote": quote}).ParseFS(files, name, "actions-install.tmpl")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// readEmbedded reads an embedded file. The files are compiled in, so a failure
// is a build defect that the package's tests catch.
func readEmbedded(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil
	}
	return b
}

// quote writes s as a YAML double-quoted scalar that stays one value on
// one line: '"' and '\\' are escaped, and so is every character that is
// not printable, among them the line breaks of YAML 1.1 (U+0085, U+2028,
// U+2029), which a YAML 1.1 parser would take for the end of a comment or
// a line. Printable ASCII and printable Unicode are kept.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsPrint(r) && r != utf8.RuneError:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
