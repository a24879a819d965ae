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
//   - swagger's #/definitions/X references point to X's own document
//     instead (see defRef).
type converter struct {
	// defRef is what a swagger reference to the named definition becomes.
	defRef func(name string) string
	// defTypes is each definition's type without null. Definitions accept
	// null (an optional property that references one may be null); every
	// other reference (required properties, array items, map values) repeats
	// the type beside the $ref so that null is refused there.
	defTypes map[string]any
}

// ignoredKeywords are dropped: documentation, merge hints, CEL rules (not
// evaluated offline), or what schema handles around its keyword loop.
var ignoredKeywords = map[string]bool{
	"description": true, "title": true, "default": true, "example": true, "externalDocs": true,
	"nullable": true, "x-nullable": true,
	"x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-int-or-string": true,
	"x-kubernetes-embedded-resource": true, "x-kubernetes-group-version-kind": true,
	"x-kubernetes-list-type": true, "x-kubernetes-list-map-keys": true, "x-kubernetes-map-type": true,
	"x-kubernetes-patch-strategy": true, "x-kubernetes-patch-merge-key": true,
	"x-kubernetes-unions": true, "x-kubernetes-validations": true,
}

// copiedKeywords mean the same in JSON Schema 2020-12: they are copied as
// they are.
var copiedKeywords = map[string]bool{
	"type": true, "enum": true, "pattern": true, "minLength": true, "maxLength": true,
	"minItems": true, "maxItems": true, "uniqueItems": true, "minimum": true, "maximum": true,
	"multipleOf": true, "minProperties": true, "maxProperties": true,
}

// schemaIn is a schema object being converted, with what the conversion of
// its keywords needs to know of it as a whole.
type schemaIn struct {
	in          node
	path        string // where it is, used in errors and nothing else
	nullable    bool   // it also accepts null
	intOrString bool   // it is an int-or-string
	required    map[string]bool
}

// newSchemaIn reads in at path; optional says it is the value of a property
// its parent does not require.
func newSchemaIn(in node, path string, optional bool) schemaIn {
	s := schemaIn{
		in:          in,
		path:        path,
		nullable:    optional || isTrue(in["nullable"]) || isTrue(in["x-nullable"]),
		intOrString: isTrue(in["x-kubernetes-int-or-string"]) || in["format"] == "int-or-string",
		required:    map[string]bool{},
	}
	for _, r := range asList(in["required"]) {
		if name, ok := r.(string); ok {
			s.required[name] = true
		}
	}
	return s
}

// schema converts one schema object at path (used in errors and nothing
// else). optional says the object is the value of a property its parent does
// not require.
func (c *converter) schema(in node, path string, optional bool) (node, error) {
	src := newSchemaIn(in, path, optional)
	out := node{}
	for _, k := range sortedKeys(in) {
		if err := c.keyword(out, src, k); err != nil {
			return nil, err
		}
	}
	if err := moveExclusiveBounds(out, in, path); err != nil {
		return nil, err
	}
	if src.intOrString {
		out["type"] = []any{"integer", "string"}
	}
	if _, ok := in["properties"]; ok && in["additionalProperties"] == nil && !isTrue(in["x-kubernetes-preserve-unknown-fields"]) {
		out["additionalProperties"] = false
	}
	if src.nullable {
		addNull(out)
	}
	return out, nil
}

// keyword converts the keyword k of src into out.
func (c *converter) keyword(out node, src schemaIn, k string) error {
	v := src.in[k]
	if ignoredKeywords[k] {
		return nil
	}
	if copiedKeywords[k] {
		out[k] = v
		return nil
	}
	switch k {
	case "format":
		if v != "int-or-string" {
			out[k] = v
		}
	case "exclusiveMinimum", "exclusiveMaximum":
		// OpenAPI's boolean form, moved onto the bound after the keyword loop.
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %s is %T, want a boolean", src.path, k, v)
		}
	case "required":
		out[k] = asList(v)
	case "$ref":
		return c.ref(out, src, v)
	case "properties":
		props, err := c.properties(src, v)
		if err != nil {
			return err
		}
		out[k] = props
	case "additionalProperties", "items":
		sub, err := c.subschema(src, k, v)
		if err != nil {
			return err
		}
		out[k] = sub
	case "anyOf":
		// Only the structural form of int-or-string is expected here.
		if !src.intOrString || !isIntOrStringAnyOf(v) {
			return fmt.Errorf("%s: anyOf other than int-or-string is not supported", src.path)
		}
	default:
		return fmt.Errorf("%s: unsupported keyword %q", src.path, k)
	}
	return nil
}

// ref points a swagger #/definitions/ reference to the definition's own
// document, with the definition's type beside it unless src accepts null.
func (c *converter) ref(out node, src schemaIn, v any) error {
	ref, _ := v.(string)
	name, ok := strings.CutPrefix(ref, "#/definitions/")
	if !ok {
		return fmt.Errorf("%s: unsupported $ref %q", src.path, ref)
	}
	if c.defRef == nil {
		return fmt.Errorf("%s: $ref %q outside swagger.json", src.path, ref)
	}
	out["$ref"] = c.defRef(name)
	if t, ok := c.defTypes[name]; ok && !src.nullable {
		out["type"] = t
	}
	return nil
}

// properties converts each property's schema; those src does not require
// also accept null.
func (c *converter) properties(src schemaIn, v any) (node, error) {
	props, ok := v.(node)
	if !ok {
		return nil, fmt.Errorf("%s: properties is %T", src.path, v)
	}
	conv := node{}
	for _, name := range sortedKeys(props) {
		p, ok := props[name].(node)
		if !ok {
			return nil, fmt.Errorf("%s.%s: schema is %T", src.path, name, props[name])
		}
		s, err := c.schema(p, src.path+"."+name, !src.required[name])
		if err != nil {
			return nil, err
		}
		conv[name] = s
	}
	return conv, nil
}

// subschema converts the value of additionalProperties or items (k): a
// schema, or for additionalProperties a boolean.
func (c *converter) subschema(src schemaIn, k string, v any) (any, error) {
	switch v := v.(type) {
	case bool:
		if k == "items" {
			return nil, fmt.Errorf("%s: items: %v is not supported", src.path, v)
		}
		return v, nil
	case node:
		return c.schema(v, src.path+"."+k, false)
	default:
		return nil, fmt.Errorf("%s: %s is %T", src.path, k, v)
	}
}

// moveExclusiveBounds turns OpenAPI's boolean exclusiveMinimum and
// exclusiveMaximum into JSON Schema 2020-12's, which take the bound itself.
func moveExclusiveBounds(out, in node, path string) error {
	for excl, bound := range map[string]string{"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"} {
		if !isTrue(in[excl]) {
			continue
		}
		if in[bound] == nil {
			return fmt.Errorf("%s: %s without %s", path, excl, bound)
		}
		out[excl] = in[bound]
		delete(out, bound)
	}
	return nil
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
