package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parse(t *testing.T, s string) node {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var n node
	if err := dec.Decode(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConvert(t *testing.T) {
	tests := []struct {
		name     string
		defTypes map[string]any
		in, want string
	}{
		{
			name: "strict objects, optional properties accept null, required do not",
			in:   `{"type":"object","description":"d","required":["a"],"properties":{"a":{"type":"string"},"b":{"type":"integer","format":"int32"}}}`,
			want: `{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string"},"b":{"type":["integer","null"],"format":"int32"}}}`,
		},
		{
			name: "preserve-unknown-fields stays open",
			in:   `{"type":"object","required":["m"],"properties":{"m":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"n":{"type":"string"}}}}}`,
			want: `{"type":"object","additionalProperties":false,"required":["m"],"properties":{"m":{"type":"object","properties":{"n":{"type":["string","null"]}}}}}`,
		},
		{
			name: "additionalProperties schema kept",
			in:   `{"type":"object","additionalProperties":{"type":"string"}}`,
			want: `{"type":"object","additionalProperties":{"type":"string"}}`,
		},
		{
			name: "CRD int-or-string",
			in:   `{"type":"object","required":["p"],"properties":{"p":{"anyOf":[{"type":"integer"},{"type":"string"}],"x-kubernetes-int-or-string":true,"pattern":"^x$"}}}`,
			want: `{"type":"object","additionalProperties":false,"required":["p"],"properties":{"p":{"type":["integer","string"],"pattern":"^x$"}}}`,
		},
		{
			name: "swagger int-or-string",
			in:   `{"type":"string","format":"int-or-string"}`,
			want: `{"type":["integer","string"]}`,
		},
		{
			name: "nullable on a required field, with enum",
			in:   `{"type":"object","required":["e"],"properties":{"e":{"type":"string","enum":["A","B"],"nullable":true}}}`,
			want: `{"type":"object","additionalProperties":false,"required":["e"],"properties":{"e":{"type":["string","null"],"enum":["A","B",null]}}}`,
		},
		{
			name:     "references: required and items repeat the type, optional accept the nullable definition",
			defTypes: map[string]any{"io.X": "object"},
			in:       `{"type":"object","required":["r"],"properties":{"r":{"$ref":"#/definitions/io.X"},"o":{"$ref":"#/definitions/io.X"},"l":{"type":"array","items":{"$ref":"#/definitions/io.X"}}}}`,
			want:     `{"type":"object","additionalProperties":false,"required":["r"],"properties":{"r":{"$ref":"io.X.json","type":"object"},"o":{"$ref":"io.X.json"},"l":{"type":["array","null"],"items":{"$ref":"io.X.json","type":"object"}}}}`,
		},
		{
			name: "boolean exclusive bounds",
			in:   `{"type":"integer","minimum":0,"exclusiveMinimum":true,"maximum":9,"exclusiveMaximum":false}`,
			want: `{"type":"integer","exclusiveMinimum":0,"maximum":9}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &converter{defRef: func(n string) string { return n + ".json" }, defTypes: tt.defTypes}
			got, err := c.schema(parse(t, tt.in), "x", false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(parse(t, tt.want), got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConvertRefuses(t *testing.T) {
	for _, in := range []string{
		`{"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}}`,
		`{"anyOf":[{"type":"string"},{"type":"boolean"}],"x-kubernetes-int-or-string":true}`,
		`{"$ref":"https://example.com/x.json"}`,
		`{"type":"array","items":[{"type":"string"}]}`,
	} {
		c := &converter{}
		if _, err := c.schema(parse(t, in), "x", false); err == nil {
			t.Errorf("%s: converted, want an error", in)
		}
	}
}

func TestDedupe(t *testing.T) {
	big := `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"},"b":{"type":"string"}}}`
	root := parse(t, `{"type":"object","properties":{"x":`+big+`,"y":{"type":"array","items":`+big+`},"z":{"type":"string"}}}`)
	if err := dedupe(root, 20); err != nil {
		t.Fatal(err)
	}
	want := parse(t, `{"type":"object","properties":{"x":{"$ref":"#/$defs/x"},"y":{"type":"array","items":{"$ref":"#/$defs/x"}},"z":{"type":"string"}},"$defs":{"x":`+big+`}}`)
	if diff := cmp.Diff(want, root); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestEncodeIsStable(t *testing.T) {
	doc := parse(t, `{"b":1,"a":{"d":"<&>","c":[2,1]}}`)
	first, err := encode(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": {\n    \"c\": [\n      2,\n      1\n    ],\n    \"d\": \"<&>\"\n  },\n  \"b\": 1\n}\n"
	if string(first) != want {
		t.Errorf("encode = %q, want %q", first, want)
	}
	second, _ := encode(parse(t, string(first)))
	if !bytes.Equal(first, second) {
		t.Error("encoding is not stable")
	}
}
