package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// kubeconformTemplate is the -schema-location for the folder that
// layoutSchemas writes: kubeconform's own naming, e.g.
// deployment-apps-v1.json, application-argoproj-v1alpha1.json,
// configmap-v1.json.
func kubeconformTemplate(dir string) string {
	return filepath.Join(dir, "{{ .ResourceKind }}{{ .KindSuffix }}.json")
}

// layoutSchemas copies rtconf's manifest schemas (schemas/manifests, the
// files rtconf embeds) into dir under the names kubeconform looks for. The
// content is unchanged except for $id: without it, the relative
// "defs/….json" references (and those between the definitions under
// defs/) resolve to the copies in dir rather than to rtconf.io, so
// kubeconform never reaches the network. It returns the number of kinds
// laid out.
func layoutSchemas(src, dir string) (int, error) {
	if err := os.MkdirAll(filepath.Join(dir, "defs"), 0o755); err != nil {
		return 0, err
	}
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("no schemas in %s: run from the repository root or pass -schemas", src)
	}
	defs, err := filepath.Glob(filepath.Join(src, "defs", "*.json"))
	if err != nil {
		return 0, err
	}
	kinds := 0
	for _, f := range append(files, defs...) {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		var s map[string]any
		if err := json.Unmarshal(data, &s); err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		delete(s, "$id")
		name, _ := filepath.Rel(src, f)
		if av, kind := constOf(s, "apiVersion"), constOf(s, "kind"); av != "" && kind != "" {
			name = strings.ToLower(kind) + kindSuffix(av) + ".json"
			kinds++
		}
		out, err := json.Marshal(s)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			return 0, err
		}
	}
	return kinds, nil
}

func constOf(s map[string]any, prop string) string {
	props, _ := s["properties"].(map[string]any)
	p, _ := props[prop].(map[string]any)
	c, _ := p["const"].(string)
	return c
}

// kindSuffix is kubeconform's {{ .KindSuffix }}: "-" and the first label of
// the group (or the version for the core group), then "-" and the version.
func kindSuffix(apiVersion string) string {
	group, version, ok := strings.Cut(apiVersion, "/")
	first, _, _ := strings.Cut(group, ".")
	out := "-" + strings.ToLower(first)
	if ok {
		out += "-" + strings.ToLower(version)
	}
	return out
}
