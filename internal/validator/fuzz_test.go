package validator_test

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/rtconf/rtconf/internal/validator"
	"github.com/rtconf/rtconf/schemas"
)

// fuzzSeeds are small repositories, written as txtar archives for
// readability and encoded with fuzzInput. (txtar.Parse itself is not used on
// the fuzzer's bytes: go-internal's v1.16.0 panics on a "-- --" line.)
var fuzzSeeds = []string{
	"-- rtconf.yaml --\nrepository: {url: https://github.com/acme/shared}\nruntimes: [{name: prod, namespace: cf}]\n",
	"-- rtconf.yaml --\nrepository: {url: https://github.com/acme/shared}\nruntimes: [{name: prod, namespace: cf}]\n" +
		"-- overlays/prod/kustomization.yaml --\nresources: [cm.yaml]\nnamespace: x\n" +
		"-- overlays/prod/cm.yaml --\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n",
	"-- resources/a/kustomization.yaml --\nresources: [../../../outside, https://github.com/x/y]\n",
	"-- resources/s.yaml --\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: x}\n---\nkind: [\n",
	"-- certs/sealed-secrets.pem --\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" +
		"-- resources/ss.yaml --\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s, namespace: n}\nspec: {encryptedData: {k: AgA=}}\n",
	"-- resources/list.yaml --\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {k: v}}, 3]}\n",
	"-- resources/cm.yaml --\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: \"gh\\\n    p_" + strings.Repeat("A", 36) + "\"\n" +
		"-- resources/x.json --\n{\"k\": \"\\u0067hp_" + strings.Repeat("B", 36) + "\"}\n",
}

// FuzzValidate hands Validate a repository of one to three files made from
// the fuzzer's bytes (see fuzzRepo): it must not panic or fail to
// run, and every finding must name a rule and severity it knows and, when it
// points into a file of the repository, a line of that file.
func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(fuzzInput(txtar.Parse([]byte(s))))
	}
	set := schemas.NewManifestSet()
	rules := map[string]bool{}
	for _, r := range validator.Rules() {
		rules[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fuzzRepo(data)
		if fsys == nil {
			return
		}
		opts := validator.DefaultOptions()
		opts.Now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		opts.Parallelism = 1
		opts.Schemas = set
		rep, err := validator.Validate(context.Background(), fsys, opts)
		if err != nil {
			t.Fatalf("Validate could not run: %v", err)
		}
		for _, fd := range rep.Findings {
			checkFinding(t, fsys, rules, fd)
		}
	})
}

// fuzzInput encodes an archive as the fuzzer's bytes: per file, its name, a
// newline and its content, files separated by a NUL byte.
func fuzzInput(ar *txtar.Archive) []byte {
	var parts [][]byte
	for _, f := range ar.Files {
		parts = append(parts, append([]byte(f.Name+"\n"), f.Data...))
	}
	return bytes.Join(parts, []byte{0})
}

// fuzzRepo decodes what fuzzInput encodes: one to three files with valid,
// distinct paths that are not folders of one another; nil otherwise.
func fuzzRepo(data []byte) fstest.MapFS {
	parts := bytes.Split(data, []byte{0})
	if len(parts) > 3 {
		return nil
	}
	m := fstest.MapFS{}
	for _, part := range parts {
		name, content, _ := bytes.Cut(part, []byte("\n"))
		if !fs.ValidPath(string(name)) || string(name) == "." || m[string(name)] != nil || len(content) > 1<<14 {
			return nil
		}
		m[string(name)] = &fstest.MapFile{Data: content, Mode: 0o644}
	}
	for name := range m {
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if m[dir] != nil {
				return nil
			}
		}
	}
	return m
}

func checkFinding(t *testing.T, fsys fstest.MapFS, rules map[string]bool, fd validator.Finding) {
	t.Helper()
	if !rules[fd.Rule] || fd.Message == "" || fd.Line < 0 || fd.Column < 0 || (fd.Line == 0 && fd.Column != 0) {
		t.Fatalf("bad finding %#v", fd)
	}
	switch fd.Severity {
	case validator.Error, validator.Warning, validator.Note:
	default:
		t.Fatalf("finding with severity %q: %#v", fd.Severity, fd)
	}
	file, ok := fsys[fd.Path]
	if !ok || fd.Line == 0 {
		return
	}
	lines := bytes.Count(file.Data, []byte("\n")) + bytes.Count(file.Data, []byte("\r")) + 1
	if fd.Line > lines+1 {
		t.Fatalf("finding at line %d of %s, which has %d lines: %#v", fd.Line, fd.Path, lines, fd)
	}
}
