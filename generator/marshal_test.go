package generator

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// checkMarshal holds marshalYAML to sigs.k8s.io/yaml.Marshal on obj. Where
// sigs.k8s.io/yaml fails to read its own JSON back (its YAML parser refuses
// DEL, the C1 controls and keys over 1,024 characters), marshalYAML must
// still write YAML that reads back to the same JSON.
func checkMarshal(t *testing.T, obj any) {
	t.Helper()
	want, wantErr := sigsyaml.Marshal(obj)
	got, err := marshalYAML(obj)
	if j, jerr := json.Marshal(obj); wantErr != nil && jerr == nil {
		if err != nil {
			t.Fatalf("marshalYAML(%#v): %v", obj, err)
		}
		back, err := sigsyaml.YAMLToJSON(got)
		if err != nil {
			t.Fatalf("marshalYAML(%#v) wrote YAML that does not read back: %v\n%s", obj, err, got)
		}
		var a, b any
		if json.Unmarshal(j, &a) != nil || json.Unmarshal(back, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("marshalYAML(%#v) reads back as %s, want %s", obj, back, j)
		}
		return
	}
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("marshalYAML(%#v): error %v, sigs.k8s.io/yaml: %v", obj, err, wantErr)
	}
	if string(got) != string(want) {
		t.Errorf("marshalYAML(%#v):\n%s\nsigs.k8s.io/yaml.Marshal:\n%s", obj, got, want)
	}
}

type marshalCase struct {
	Name    string            `json:"name"`
	Count   int               `json:"count,omitempty"`
	Ratio   float64           `json:"ratio"`
	Big     uint64            `json:"big"`
	Labels  map[string]string `json:"labels,omitempty"`
	Items   []string          `json:"items"`
	Nested  *marshalCase      `json:"nested,omitempty"`
	Enabled bool              `json:"enabled"`
	Any     any               `json:"any"`
}

func TestMarshalYAMLMatches(t *testing.T) {
	strs := []string{"", "plain", "true", "yes", "on", "null", "~", "0o17", "017", "1e3", "0x1F", ".inf", "-", "- x",
		"a: b", "#x", "x #y", "multi\nline\n", "trailing ", " leading", "tab\there", "quote'\"", "é ünï", "\u2028", "\x00",
		"<&>", "{a}", "[a]", "*a", "&a", "!a", "%a", "@a", "`a", "2026-12-01T12:00:00Z", "12:30", "1_000", "+1", "-.5"}
	for _, s := range strs {
		checkMarshal(t, map[string]any{s: s, "list": []any{s}})
	}
	for _, n := range []any{0, -1, 42, math.MaxInt64, uint64(math.MaxUint64), 1.5, -0.25, 1e21, 1e-7, math.MaxFloat64, 100.0} {
		checkMarshal(t, map[string]any{"n": n})
	}
	checkMarshal(t, marshalCase{Name: "rt", Count: 3, Ratio: 2, Big: math.MaxUint64, Labels: map[string]string{"b": "2", "a": "1", "10": "x", "9": "y"},
		Items: []string{"x", "y"}, Nested: &marshalCase{Name: "n"}, Any: map[string]any{"k": nil, "z": []any{}}})
	checkMarshal(t, marshalCase{})
	checkMarshal(t, []any{nil, true, false, "x", map[string]any{}})
}

func FuzzMarshalYAML(f *testing.F) {
	f.Add("key", "value", int64(1), 1.5)
	f.Add("0o17", "yes", int64(-9), 1e21)
	f.Add("a\nb", "- x: y", int64(math.MaxInt64), math.SmallestNonzeroFloat64)
	f.Fuzz(func(t *testing.T, k, v string, i int64, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return // JSON has neither; both fail alike
		}
		checkMarshal(t, map[string]any{k: v, "i": i, "x": x, "l": []any{v, k}, "m": map[string]string{v: k}})
		checkMarshal(t, marshalCase{Name: v, Labels: map[string]string{k: v}, Count: int(i), Ratio: x})
	})
}
