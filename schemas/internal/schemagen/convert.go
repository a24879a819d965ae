package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// node is one schema object, decoded with json.Decoder.UseNumber.
type node = map[string]any

// converter turns OpenAPI v2 (swagger) and OpenAPI v3 (CRD) schema objects into
// strict JSON Schema 2020-12, as kubeconform's openapi2jsonschema does:
//
//   - an object schema with properties, no additionalProperties and no
//     x-kubernetes-preserve-unknown-fields gets additionalProperties: false;
//   - x-kubernetes-int-or-string and format int-or-string become
//     type [integer, string];
//   - nullable, x-nullable and optional properties (those not in the parent's
//     required list) also accept null, as the API server does;
//   - swagger's #/definitions/X references point into one shared $defs
//     document instead.
type converter struct {
	// refPrefix replaces "#/definitions/" in swagger references.
	refPrefix string
	// defTypes is each definition's type without null. Definitions accept
	// null (an optional property that references one may be null); every
	// other reference (required properties, array items, map values) repeats
	// the type beside the $ref so that null is refused there.
	defTypes map[string]any
}

// schema converts one schema object at path (used in errors and nothing
// else). optional says the object is the value of a property its parent does
// not require.
func (c *converter) schema(in node, path string, optional bool) (node, error) {
	out := node{}
	preserve := isTrue(in["x-kubernetes-preserve-unknown-fields"])
	intOrString := isTrue(in["x-kubernetes-int-or-string"]) || in["format"] == "int-or-string"
	nullable := optional || isTrue(in["nullable"]) || isTrue(in["x-nullable"])
	required := map[string]bool{}
	for _, r := range asList(in["required"]) {
		if s, ok := r.(string); ok {
			required[s] = true
		}
	}

	for _, k := range sortedKeys(in) {
		v := in[k]
		switch k {
		case "description", "title", "default", "example", "externalDocs",
			"nullable", "x-nullable",
			"x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
			"x-kubernetes-embedded-resource", "x-kubernetes-group-version-kind",
			"x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
			"x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key",
			"x-kubernetes-unions", "x-kubernetes-validations":
			// Documentation, merge hints, CEL rules (not evaluated offline),
			// or handled around this loop.
		case "type", "enum", "pattern", "minLength", "maxLength", "minItems", "maxItems",
			"uniqueItems", "minimum", "maximum", "multipleOf", "minProperties", "maxProperties":
			out[k] = v
		case "format":
			if v != "int-or-string" {
				out[k] = v
			}
		case "exclusiveMinimum", "exclusiveMaximum":
			// OpenAPI's boolean form, moved onto the bound after this loop.
			if _, ok := v.(bool); !ok {
				return nil, fmt.Errorf("%s: %s is %T, want a boolean", path, k, v)
			}
		case "required":
			out[k] = asList(v)
		case "$ref":
			ref, _ := v.(string)
			name, ok := strings.CutPrefix(ref, "#/definitions/")
			if !ok {
				return nil, fmt.Errorf("%s: unsupported $ref %q", path, ref)
			}
			out[k] = c.refPrefix + escapePointer(name)
			if t, ok := c.defTypes[name]; ok && !nullable {
				out["type"] = t
			}
		case "properties":
			props, ok := v.(node)
			if !ok {
				return nil, fmt.Errorf("%s: properties is %T", path, v)
			}
			conv := node{}
			for _, name := range sortedKeys(props) {
				p, ok := props[name].(node)
				if !ok {
					return nil, fmt.Errorf("%s.%s: schema is %T", path, name, props[name])
				}
				s, err := c.schema(p, path+"."+name, !required[name])
				if err != nil {
					return nil, err
				}
				conv[name] = s
			}
			out[k] = conv
		case "additionalProperties", "items":
			switch v := v.(type) {
			case bool:
				if k == "items" {
					return nil, fmt.Errorf("%s: items: %v is not supported", path, v)
				}
				out[k] = v
			case node:
				s, err := c.schema(v, path+"."+k, false)
				if err != nil {
					return nil, err
				}
				out[k] = s
			default:
				return nil, fmt.Errorf("%s: %s is %T", path, k, v)
			}
		case "anyOf":
			// Only the structural form of int-or-string is expected here.
			if !intOrString || !isIntOrStringAnyOf(v) {
				return nil, fmt.Errorf("%s: anyOf other than int-or-string is not supported", path)
			}
		default:
			return nil, fmt.Errorf("%s: unsupported keyword %q", path, k)
		}
	}

	// JSON Schema 2020-12 takes the exclusive bound itself.
	for excl, bound := range map[string]string{"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"} {
		if !isTrue(in[excl]) {
			continue
		}
		if in[bound] == nil {
			return nil, fmt.Errorf("%s: %s without %s", path, excl, bound)
		}
		out[excl] = in[bound]
		delete(out, bound)
	}
	if intOrString {
		out["type"] = []any{"integer", "string"}
	}
	if _, ok := in["properties"]; ok && in["additionalProperties"] == nil && !preserve {
		out["additionalProperties"] = false
	}
	if nullable {
		addNull(out)
	}
	return out, nil
}

// addNull lets s accept null: null joins its type and its enum. A bare $ref
// needs nothing (definitions accept null), nor does a schema without a type.
func addNull(s node) {
	switch t := s["type"].(type) {
	case string:
		if t != "null" {
			s["type"] = []any{t, "null"}
		}
	case []any:
		if !slices.Contains(t, any("null")) {
			s["type"] = append(slices.Clone(t), "null")
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, nil) {
		s["enum"] = append(slices.Clone(e), nil)
	}
}

func isIntOrStringAnyOf(v any) bool {
	var types []string
	for _, alt := range asList(v) {
		a, ok := alt.(node)
		if !ok || len(a) != 1 {
			return false
		}
		t, _ := a["type"].(string)
		types = append(types, t)
	}
	sort.Strings(types)
	return slices.Equal(types, []string{"integer", "string"})
}

func isTrue(v any) bool {
	b, ok := v.(bool)
	return ok && b
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func sortedKeys(m node) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// escapePointer escapes one JSON Pointer reference token.
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
