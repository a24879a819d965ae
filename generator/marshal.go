package generator

import (
	"bytes"
	"encoding/json"
	"fmt"

	yamlv2 "go.yaml.in/yaml/v2"
)

// marshalYAML writes obj exactly as sigs.k8s.io/yaml.Marshal does: to JSON
// first, so that the json tags decide the fields, then to YAML with
// go.yaml.in/yaml/v2. sigs.k8s.io/yaml reads the JSON back with a YAML
// parser, which was most of the generator's time (and so of validate's
// drift check); here encoding/json reads it, and each number is read as the
// YAML parser reads it, so the tree and the text are the same. (One
// difference: where that parser refuses its input, a DEL or C1 control
// character in a string or a key over 1,024 characters, this writes the
// YAML instead of failing.)
// TestMarshalYAMLMatches and FuzzMarshalYAML hold the two equal.
func marshalYAML(obj any) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("error marshaling into JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	if tree, err = yamlNumbers(tree); err != nil {
		return nil, err
	}
	return yamlv2.Marshal(tree)
}

// yamlNumbers replaces the JSON numbers of a tree with what the YAML parser
// reads them as (an int where it fits, else a float).
func yamlNumbers(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		var n any
		err := yamlv2.Unmarshal([]byte(v), &n)
		return n, err
	case map[string]any:
		for k, x := range v {
			y, err := yamlNumbers(x)
			if err != nil {
				return nil, err
			}
			v[k] = y
		}
	case []any:
		for i, x := range v {
			y, err := yamlNumbers(x)
			if err != nil {
				return nil, err
			}
			v[i] = y
		}
	}
	return v, nil
}
