package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"sigs.k8s.io/yaml"
)

// dedupeMinSize is the smallest repeated subschema (compact JSON bytes) that
// dedupe moves into $defs: big enough that small leaves stay inline and
// readable, small enough to fold ApplicationSet's repeated templates.
const dedupeMinSize = 256

// crdSchemas converts a CustomResourceDefinition: one self-contained document
// per served version, except that metadata references ObjectMeta's
// document among the core definitions (a CRD says only `metadata: {type: object}`,
// but the API server checks a custom resource's metadata as ObjectMeta).
func crdSchemas(data []byte, from string) ([]schemaFile, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	var crd struct {
		Kind string `json:"kind"`
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Kind string `json:"kind"`
			} `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Served bool   `json:"served"`
				Schema struct {
					OpenAPIV3Schema node `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&crd); err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	if crd.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("%s: kind is %q, want CustomResourceDefinition", from, crd.Kind)
	}

	var files []schemaFile
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		k := gvk{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
		if v.Schema.OpenAPIV3Schema == nil {
			return nil, fmt.Errorf("%s: version %s has no schema", from, v.Name)
		}
		c := &converter{}
		root, err := c.schema(v.Schema.OpenAPIV3Schema, k.Kind, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", from, err)
		}
		props, ok := root["properties"].(node)
		if !ok {
			return nil, fmt.Errorf("%s: %s has no properties", from, k.Kind)
		}
		props["apiVersion"] = node{"type": "string", "const": k.APIVersion()}
		props["kind"] = node{"type": "string", "const": k.Kind}
		if meta, _ := props["metadata"].(node); meta == nil || meta["properties"] == nil {
			props["metadata"] = node{"$ref": definitionFile(objectMetaDef)}
		}
		req := asList(root["required"])
		for _, r := range []string{"apiVersion", "kind"} {
			if !slices.Contains(req, any(r)) {
				req = append(req, r)
			}
		}
		root["required"] = req
		if err := dedupe(root, dedupeMinSize); err != nil {
			return nil, fmt.Errorf("%s: %w", from, err)
		}
		files = append(files, schemaFile{Name: k.FileName(), Doc: document(k.FileName(), from, root), Kind: &k, From: from})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no served version", from)
	}
	return files, nil
}
