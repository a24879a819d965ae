package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/rtconf/rtconf/internal/jsonpointer"
	"github.com/rtconf/rtconf/schemas"
)

// compiledSchema compiles the embedded schema once per process: it is
// immutable, and compiling it is most of the cost of a Parse.
var compiledSchema = sync.OnceValues(compileSchema)

// rawSchema is the schema as data, read once, for the hints that quote it
// (known field names, pattern messages).
var rawSchema = sync.OnceValues(func() (map[string]any, error) {
	var raw map[string]any
	err := json.Unmarshal(schemas.Config(), &raw)
	return raw, err
})

// compileSchema compiles the embedded rtconf.yaml schema. Nothing is ever
// fetched: any other URL is refused.
func compileSchema() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("refusing to load %s: rtconf validates offline with embedded schemas", s)
	}
	if err := c.AddResource(schemas.ConfigURL, bytes.NewReader(schemas.Config())); err != nil {
		return nil, fmt.Errorf("rtconf.yaml schema: %w", err)
	}
	s, err := c.Compile(schemas.ConfigURL)
	if err != nil {
		return nil, fmt.Errorf("rtconf.yaml schema: %w", err)
	}
	return s, nil
}

// schemaProblems validates doc against the schema and maps each failure back
// to the line and column it came from.
func schemaProblems(file string, doc any, pos positions) []Problem {
	s, err := compiledSchema()
	if err != nil {
		return []Problem{{File: file, Message: err.Error()}}
	}
	err = s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{File: file, Message: err.Error()}}
	}
	raw, err := rawSchema()
	if err != nil {
		return []Problem{{File: file, Message: err.Error()}}
	}
	var out []Problem
	for _, leaf := range schemas.Leaves(ve) {
		out = append(out, leafProblems(file, leaf, pos, raw, doc)...)
	}
	return out
}

var quoted = regexp.MustCompile(`'([^']*)'`)

func leafProblems(file string, ve *jsonschema.ValidationError, pos positions, raw map[string]any, doc any) []Problem {
	ptr := ve.InstanceLocation
	keywordPtr := ve.AbsoluteKeywordLocation
	if i := strings.Index(keywordPtr, "#"); i >= 0 {
		keywordPtr = keywordPtr[i+1:]
	}
	keyword := keywordPtr[strings.LastIndex(keywordPtr, "/")+1:]
	parent := lookup(raw, strings.TrimSuffix(keywordPtr, "/"+keyword))
	at := func(p string, byKey bool) Problem {
		where := pos.value(p)
		if byKey {
			where = pos.key(p)
		}
		return Problem{File: file, Position: where, Field: jsonpointer.FieldPath(p)}
	}

	switch keyword {
	case "additionalProperties":
		var out []Problem
		known := propertyNames(parent)
		obj, _ := valueAt(doc, ptr).(map[string]any)
		for _, name := range unknownKeys(obj, known) {
			p := at(ptr+"/"+jsonpointer.Escape(name), true)
			p.Message = fmt.Sprintf("unknown field %q", name)
			p.Hint = "remove it or correct its spelling"
			if len(known) > 0 {
				p.Hint += "; known fields here: " + strings.Join(known, ", ")
			}
			out = append(out, p)
		}
		return out
	case "required":
		var out []Problem
		for _, m := range quoted.FindAllStringSubmatch(ve.Message, -1) {
			p := at(ptr, false)
			p.Message = fmt.Sprintf("missing required field %q", m[1])
			p.Hint = fmt.Sprintf("add %q; see `rtconf schema`", m[1])
			out = append(out, p)
		}
		return out
	case "pattern":
		p := at(ptr, false)
		p.Message = ve.Message
		if msg, ok := parent["patternErrorMessage"].(string); ok {
			p.Message = fmt.Sprintf("%s %s", quoteValue(fmt.Sprint(valueAt(doc, ptr))), msg)
		}
		return []Problem{p}
	case "minItems":
		p := at(ptr, false)
		p.Message = ve.Message
		if ptr == "/runtimes" {
			p.Message = "no runtimes defined"
			p.Hint = "add at least one runtime with a name and a namespace"
		}
		return []Problem{p}
	case "type":
		p := at(ptr, false)
		p.Message = ve.Message
		if strings.HasPrefix(ve.Message, "expected boolean") {
			p.Hint = "write true or false (yes, no, on and off are strings in YAML 1.2)"
		} else if strings.HasPrefix(ve.Message, "expected string") {
			p.Hint = "quote the value"
		}
		return []Problem{p}
	}
	p := at(ptr, false)
	p.Message = ve.Message
	return []Problem{p}
}

// unknownKeys lists the keys of obj that are not known, sorted.
func unknownKeys(obj map[string]any, known []string) []string {
	var out []string
	for k := range obj {
		if !slices.Contains(known, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// valueAt returns the value at a JSON pointer in a decoded document.
func valueAt(doc any, ptr string) any {
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		switch v := cur.(type) {
		case map[string]any:
			cur = v[jsonpointer.Unescape(tok)]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	return cur
}

// lookup resolves a JSON pointer fragment inside the raw schema.
func lookup(raw map[string]any, ptr string) map[string]any {
	cur := raw
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		next, ok := cur[jsonpointer.Unescape(tok)].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

func propertyNames(schema map[string]any) []string {
	props, _ := schema["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
