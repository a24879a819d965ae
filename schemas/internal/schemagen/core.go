package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

const (
	draft2020      = "https://json-schema.org/draft/2020-12/schema"
	baseURL        = "https://rtconf.io/schemas/manifests/"
	definitionsDir = "defs"
	objectMetaDef  = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	quantityDef    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
)

// gvk names one kind.
type gvk struct{ Group, Version, Kind string }

func (g gvk) APIVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

// FileName is the kind's schema file: "v1-configmap.json", "apps-v1-deployment.json".
func (g gvk) FileName() string {
	return strings.ToLower(strings.ReplaceAll(g.APIVersion(), "/", "-") + "-" + g.Kind + ".json")
}

// coreKinds are the built-in kinds that get a schema: what the generator
// emits and what a runtime's resources folder usually holds.
func coreKinds() []gvk {
	return []gvk{
		{"", "v1", "ConfigMap"}, {"", "v1", "Secret"}, {"", "v1", "Namespace"},
		{"", "v1", "Service"}, {"", "v1", "ServiceAccount"}, {"", "v1", "PersistentVolumeClaim"},
		{"", "v1", "LimitRange"}, {"", "v1", "ResourceQuota"}, {"", "v1", "Pod"},
		{"apps", "v1", "Deployment"}, {"apps", "v1", "StatefulSet"},
		{"apps", "v1", "DaemonSet"}, {"apps", "v1", "ReplicaSet"},
		{"batch", "v1", "Job"}, {"batch", "v1", "CronJob"},
		{"rbac.authorization.k8s.io", "v1", "Role"}, {"rbac.authorization.k8s.io", "v1", "RoleBinding"},
		{"rbac.authorization.k8s.io", "v1", "ClusterRole"}, {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"},
		{"networking.k8s.io", "v1", "Ingress"}, {"networking.k8s.io", "v1", "IngressClass"},
		{"networking.k8s.io", "v1", "NetworkPolicy"},
		{"policy", "v1", "PodDisruptionBudget"},
		{"autoscaling", "v2", "HorizontalPodAutoscaler"},
		{"scheduling.k8s.io", "v1", "PriorityClass"},
		{"storage.k8s.io", "v1", "StorageClass"},
	}
}

// schemaFile is one generated document and, for a kind's file, where it came from.
type schemaFile struct {
	Name string
	Doc  node
	Kind *gvk
	From string
}

// definitionFile is the document of the swagger definition name, in the
// folder of definitions: "defs/io.k8s.api.core.v1.PodSpec.json".
func definitionFile(name string) string {
	return definitionsDir + "/" + name + ".json"
}

// safeDefinitionName reports whether name can be a file name and a relative
// URL as it is: every definition in swagger.json can, today.
func safeDefinitionName(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
}

// coreSchemas converts Kubernetes' swagger.json: one document per
// definition in the transitive closure of the core kinds' definitions
// (under defs/, each referencing the others by relative URL), and one
// small document per kind that references its definition and fixes
// apiVersion and kind. A definition per document, not one document of
// them all, because a JSON Schema compiler checks a whole document against
// the metaschema when it first loads it: validating a ConfigMap then
// costs ConfigMap's closure, not every definition's.
func coreSchemas(swagger []byte, from string) ([]schemaFile, error) {
	var spec struct {
		Definitions map[string]node `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(swagger))
	dec.UseNumber()
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("decode swagger: %w", err)
	}
	byKind := map[gvk][]string{}
	for name, def := range spec.Definitions {
		for _, x := range asList(def["x-kubernetes-group-version-kind"]) {
			m, _ := x.(node)
			g := gvk{Group: str(m["group"]), Version: str(m["version"]), Kind: str(m["kind"])}
			byKind[g] = append(byKind[g], name)
		}
	}

	var roots []string
	for _, k := range coreKinds() {
		names := byKind[k]
		if len(names) != 1 {
			return nil, fmt.Errorf("%s %s: want one definition, found %v", k.APIVersion(), k.Kind, names)
		}
		roots = append(roots, names[0])
	}
	closure, err := refClosure(spec.Definitions, roots)
	if err != nil {
		return nil, err
	}

	// A definition's document is beside the others: it names them by file.
	c := &converter{defRef: func(name string) string { return name + ".json" }, defTypes: map[string]any{}}
	for _, name := range closure {
		if !safeDefinitionName(name) {
			return nil, fmt.Errorf("definition %q: not usable as a file name", name)
		}
		if t := defType(name, spec.Definitions[name]); t != nil {
			c.defTypes[name] = t
		}
	}
	var files []schemaFile
	for _, name := range closure {
		s, err := c.schema(spec.Definitions[name], name, false)
		if err != nil {
			return nil, err
		}
		if t, ok := c.defTypes[name]; ok {
			s["type"] = t
		}
		addNull(s)
		file := definitionFile(name)
		files = append(files, schemaFile{Name: file, Doc: document(file, from+"#/definitions/"+name, s)})
	}

	for i, k := range coreKinds() {
		ref := definitionFile(roots[i])
		doc := document(k.FileName(), from+"#/definitions/"+roots[i], node{
			"$ref": ref,
			"type": "object",
			"properties": node{
				"apiVersion": node{"const": k.APIVersion()},
				"kind":       node{"const": k.Kind},
			},
			"required": []any{"apiVersion", "kind"},
		})
		files = append(files, schemaFile{Name: k.FileName(), Doc: doc, Kind: &k, From: from + "#/definitions/" + roots[i]})
	}
	return files, nil
}

// defType is the type a definition's values have, without null.
// Quantity is special: swagger says string, but the API server (and
// kubectl, and kubeconform) take a number too (`cpu: 1`, `memory: 1e9`).
func defType(name string, def node) any {
	switch {
	case name == quantityDef:
		return []any{"number", "string"}
	case isTrue(def["x-kubernetes-int-or-string"]) || def["format"] == "int-or-string":
		return []any{"integer", "string"}
	}
	return def["type"]
}

// refClosure lists, sorted, the definitions that roots reference, directly or not, and roots.
func refClosure(defs map[string]node, roots []string) ([]string, error) {
	seen := map[string]bool{}
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		def, ok := defs[name]
		if !ok {
			return nil, fmt.Errorf("definition %s is referenced but missing", name)
		}
		seen[name] = true
		walkRefs(def, func(ref string) { queue = append(queue, strings.TrimPrefix(ref, "#/definitions/")) })
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func walkRefs(v any, f func(string)) {
	switch v := v.(type) {
	case node:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				f(s)
				continue
			}
			walkRefs(x, f)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, f)
		}
	}
}

// document adds the header every generated file carries.
func document(file, from string, body node) node {
	body["$schema"] = draft2020
	body["$id"] = baseURL + file
	body["$comment"] = "Code generated by `make schemas` (schemas/internal/schemagen) from " + from + "; DO NOT EDIT."
	return body
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
