package validator

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	ssv1alpha1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/rtconf/rtconf/internal/config"
	"github.com/rtconf/rtconf/internal/jsonpointer"
	"github.com/rtconf/rtconf/internal/seal"
	"github.com/rtconf/rtconf/schemas"
)

// objectChecker applies the checks that look at one object at a time.
type objectChecker struct {
	repo    *repo
	schemas *schemas.ManifestSet
	strict  bool
	// keyBytes is the RSA key size of the pinned certificate, in bytes; 0
	// when there is none to compare with.
	keyBytes int
	pinned   string
	cfg      *config.Config
	now      time.Time
}

// maxListDepth bounds how deeply Lists are unpacked; deeper ones are an
// error, never skipped silently.
const maxListDepth = 8

// place is where an object sits in its file: in the document of the
// top-level object of that kind and name, at the JSON pointer prefix
// (empty for the top-level object, "/items/3" for an item of a List).
type place struct {
	kind, name, prefix string
	depth              int
}

// check validates obj, which came from the file src (a path in the
// repository, or "" when unknown; then fallback names the file to report).
func (c *objectChecker) check(obj map[string]any, src, fallback, rt string) []Finding {
	kind, _ := obj["kind"].(string)
	return c.checkAt(obj, src, fallback, rt, place{kind: kind, name: nested(obj, "metadata", "name")})
}

func (c *objectChecker) checkAt(obj map[string]any, src, fallback, rt string, pl place) []Finding {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	name := nested(obj, "metadata", "name")
	file := src
	if file == "" {
		file = fallback
	}
	at := func(ptr string, key bool) (int, int) {
		if src == "" {
			return 0, 0
		}
		docs, err := c.repo.documents(src)
		if err != nil {
			return 0, 0
		}
		d, ok := findDoc(docs, pl.kind, pl.name)
		if !ok {
			return 0, 0
		}
		return locate(d, pl.prefix+ptr, key)
	}
	finding := func(ptr string, key bool, rule string, sev Severity, msg, hint string) Finding {
		line, col := at(ptr, key)
		return Finding{Path: file, Line: line, Column: col, Rule: rule, Severity: sev, Message: msg, Hint: hint, Runtime: rt}
	}
	what := kind + " " + name
	if kind == "" {
		what = "object"
	}

	// A List (any object with an items array: Argo CD applies each item,
	// as kubectl does) is checked item by item, with the same rules as a
	// top-level object.
	if items, ok := obj["items"].([]any); ok {
		if pl.depth >= maxListDepth {
			return []Finding{finding("/items", false, RuleSchema, Error,
				fmt.Sprintf("%s: Lists nested more than %d deep: not validated", what, maxListDepth), "put the objects in the file itself, one document each")}
		}
		var out []Finding
		for i, item := range items {
			ip := place{kind: pl.kind, name: pl.name, prefix: pl.prefix + "/items/" + strconv.Itoa(i), depth: pl.depth + 1}
			m, ok := item.(map[string]any)
			if !ok {
				line, col := at("/items/"+strconv.Itoa(i), false)
				out = append(out, Finding{Path: file, Line: line, Column: col, Rule: RuleSchema, Severity: Error, Runtime: rt,
					Message: fmt.Sprintf("%s: items[%d] is not an object", what, i)})
				continue
			}
			out = append(out, c.checkAt(m, src, fallback, rt, ip)...)
		}
		return out
	}

	var out []Finding
	out = append(out, c.schema(obj, apiVersion, kind, what, finding)...)
	switch {
	case kind == "Secret" && apiVersion == "v1":
		for _, field := range []string{"data", "stringData"} {
			if m, ok := obj[field].(map[string]any); ok && len(m) > 0 {
				out = append(out, finding("/"+field, true, RulePlainSecret, Error,
					fmt.Sprintf("%s carries %s: secrets must never be in Git in plain text (base64 is not encryption)", what, field),
					"seal it: rtconf seal for Git tokens, kubeseal for other secrets; then rotate the exposed values"))
			}
		}
	case kind == "SealedSecret":
		out = append(out, c.sealed(obj, what, finding)...)
		out = append(out, c.tokenRecord(obj, what, finding)...)
	}
	return out
}

type findingFunc func(ptr string, key bool, rule string, sev Severity, msg, hint string) Finding

var additional = regexp.MustCompile(`'([^']*)'`)

func (c *objectChecker) schema(obj map[string]any, apiVersion, kind, what string, finding findingFunc) []Finding {
	if apiVersion == "" || kind == "" {
		return []Finding{finding("", false, RuleSchema, Error, "not a Kubernetes object: apiVersion and kind are required", "")}
	}
	s, ok, err := c.schemas.Schema(apiVersion, kind)
	if err != nil {
		return []Finding{finding("", false, RuleSchema, Error, fmt.Sprintf("schema of %s %s: %v", apiVersion, kind, err), "")}
	}
	if !ok {
		sev := Warning
		if c.strict {
			sev = Error
		}
		return []Finding{finding("/kind", false, RuleUnknownKind, sev,
			fmt.Sprintf("no schema for %s %s: not validated", apiVersion, kind),
			"check apiVersion and kind for typos; rtconf knows core Kubernetes kinds, Argo CD and SealedSecret")}
	}
	err = s.Validate(obj)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &ve) {
		return []Finding{finding("", false, RuleSchema, Error, err.Error(), "")}
	}
	var out []Finding
	seen := map[string]bool{}
	for _, leaf := range schemas.Leaves(ve) {
		keyword := leaf.KeywordLocation[strings.LastIndex(leaf.KeywordLocation, "/")+1:]
		var f Finding
		switch keyword {
		case "additionalProperties":
			for _, m := range additional.FindAllStringSubmatch(leaf.Message, -1) {
				ptr := leaf.InstanceLocation + "/" + jsonpointer.Escape(m[1])
				f = finding(ptr, true, RuleSchema, Error, fmt.Sprintf("%s: unknown field %s", what, jsonpointer.FieldPath(ptr)),
					"remove it or correct its spelling; unknown fields are errors because the API server drops or refuses them")
				if !seen[f.Message] {
					seen[f.Message] = true
					out = append(out, f)
				}
			}
			continue
		case "required":
			for _, m := range additional.FindAllStringSubmatch(leaf.Message, -1) {
				field := strings.TrimPrefix(jsonpointer.FieldPath(leaf.InstanceLocation)+"."+m[1], ".")
				f = finding(leaf.InstanceLocation, false, RuleSchema, Error, fmt.Sprintf("%s: missing required field %s", what, field), "")
				if !seen[f.Message] {
					seen[f.Message] = true
					out = append(out, f)
				}
			}
			continue
		}
		field := jsonpointer.FieldPath(leaf.InstanceLocation)
		if field == "" {
			field = "(object)"
		}
		f = finding(leaf.InstanceLocation, false, RuleSchema, Error, fmt.Sprintf("%s: %s: %s", what, field, leaf.Message), "")
		if !seen[f.Message] {
			seen[f.Message] = true
			out = append(out, f)
		}
	}
	return out
}

// sealed checks a SealedSecret: still named as it was sealed for, and
// ciphertext that the pinned key could have made.
func (c *objectChecker) sealed(obj map[string]any, what string, finding findingFunc) []Finding {
	var out []Finding
	name := nested(obj, "metadata", "name")
	ns := nested(obj, "metadata", "namespace")
	ann, _ := nestedMap(obj, "metadata", "annotations")
	wantNS, wantName := nested(obj, "spec", "template", "metadata", "namespace"), nested(obj, "spec", "template", "metadata", "name")
	if sf, ok := ann[seal.AnnotationSealedFor].(string); ok {
		if n, m, ok := strings.Cut(sf, "/"); ok {
			wantNS, wantName = n, m
		}
	}
	scope := "strict"
	switch {
	case ann[ssv1alpha1.SealedSecretClusterWideAnnotation] == "true":
		scope = "cluster-wide"
	case ann[ssv1alpha1.SealedSecretNamespaceWideAnnotation] == "true":
		scope = "namespace-wide"
	}
	hint := "remove the Kustomize namespace:, namePrefix: or nameSuffix: that renames it, or seal it again for its new name"
	if scope == "strict" && wantName != "" && name != wantName {
		out = append(out, finding("/metadata/name", false, RuleSealedRename, Error,
			fmt.Sprintf("%s was sealed (strict scope) for the name %q: the controller will not decrypt it as %q", what, wantName, name), hint))
	}
	if scope != "cluster-wide" && wantNS != "" && ns != "" && ns != wantNS {
		out = append(out, finding("/metadata/namespace", false, RuleSealedRename, Error,
			fmt.Sprintf("%s was sealed (%s scope) for the namespace %q: the controller will not decrypt it in %q", what, scope, wantNS, ns), hint))
	}

	fp, hasFP := ann[seal.AnnotationCertificate].(string)
	switch {
	case c.pinned != "" && isDemoFingerprint(fp) && !isDemoFingerprint(c.pinned):
		// rtconf.yaml pinning the demo certificate is one finding of
		// its own (demoPinFindings).
		out = append(out, demoSealed(what, finding))
	case hasFP && c.pinned != "" && !strings.EqualFold(fp, c.pinned):
		out = append(out, finding("/metadata/annotations", false, RuleCiphertext, Warning,
			fmt.Sprintf("%s was sealed with certificate %s, not the pinned %s", what, fp, c.pinned),
			"the controller keeps old keys, so it may still decrypt; seal it again to use the current key"))
	}
	data, _ := nestedMap(obj, "spec", "encryptedData")
	for _, key := range sortedKeys(data) {
		v, _ := data[key].(string)
		if msg := seal.CheckCiphertext(v, c.keyBytes); msg != "" {
			out = append(out, finding("/spec/encryptedData/"+key, false, RuleCiphertext, Error,
				fmt.Sprintf("%s: encryptedData.%s %s", what, key, msg), "seal the value again with rtconf seal (or kubeseal)"))
		}
	}
	return out
}

func nested(obj map[string]any, keys ...string) string {
	var cur any = obj
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

func nestedMap(obj map[string]any, keys ...string) (map[string]any, bool) {
	var cur any = obj
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur = m[k]
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
