package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// site is one place in a schema tree that holds a subschema: container[key].
type site struct {
	container node
	key       string
	path      string
}

// dedupe moves every subschema of root that occurs more than once and is at
// least minSize bytes long (as compact JSON) into root's $defs, largest first,
// and replaces each occurrence with a $ref. A definition is named after the
// shortest property path where it occurred. Validation is unchanged; the
// point is size: Argo CD's ApplicationSet repeats the Application template
// in every generator, and nested generators repeat those again.
func dedupe(root node, minSize int) error {
	defs := node{}
	for {
		groups := map[string][]site{}
		if err := collect(root, "", groups); err != nil {
			return err
		}
		for _, name := range sortedKeys(defs) {
			if err := collect(defs[name].(node), name, groups); err != nil {
				return err
			}
		}
		best := ""
		for canon, sites := range groups {
			if len(sites) < 2 || len(canon) < minSize {
				continue
			}
			if len(canon) > len(best) || (len(canon) == len(best) && canon < best) {
				best = canon
			}
		}
		if best == "" {
			break
		}
		sites := groups[best]
		name := sites[0].path
		for _, s := range sites[1:] {
			if len(s.path) < len(name) || (len(s.path) == len(name) && s.path < name) {
				name = s.path
			}
		}
		name = defName(name, defs)
		defs[name] = sites[0].container[sites[0].key]
		for _, s := range sites {
			s.container[s.key] = node{"$ref": "#/$defs/" + escapePointer(name)}
		}
	}
	if len(defs) > 0 {
		root["$defs"] = defs
	}
	return nil
}

// collect records, under its canonical JSON, every subschema below s.
func collect(s node, path string, groups map[string][]site) error {
	visit := func(container node, key, p string) error {
		child, ok := container[key].(node)
		if !ok {
			return nil
		}
		if _, isRef := child["$ref"]; isRef && len(child) == 1 {
			return nil // already a reference: moving it would never end
		}
		canon, err := canonical(child)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		groups[canon] = append(groups[canon], site{container: container, key: key, path: p})
		return collect(child, p, groups)
	}
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	if props, ok := s["properties"].(node); ok {
		for _, name := range sortedKeys(props) {
			if err := visit(props, name, join(name)); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"additionalProperties", "items"} {
		if err := visit(s, k, join(k)); err != nil {
			return err
		}
	}
	return nil
}

func canonical(s node) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// defName makes path a usable, unused $defs name: characters outside
// [A-Za-z0-9._-] become "_", and a clash gets a numeric suffix.
func defName(path string, defs node) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, path)
	name := clean
	for i := 2; defs[name] != nil; i++ {
		name = fmt.Sprintf("%s-%d", clean, i)
	}
	return name
}
