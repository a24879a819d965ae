package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// manyRuntimes is a configuration of n runtimes in rtconf's own layout,
// with after appended (a section after the runtimes list).
func manyRuntimes(n int, after string) string {
	var b strings.Builder
	b.WriteString("repository:\n  url: https://github.com/acme/shared-config\nruntimes:\n")
	for i := range n {
		fmt.Fprintf(&b, "  # runtime %d\n  - name: rt-%02d\n    namespace: ns-%02d\n    users:\n      - alice\n\n", i, i, i)
	}
	b.WriteString(after)
	return b.String()
}

func TestParseRuntimes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		runtime string
		// partial is whether the shortcut is taken; otherwise Parse answers.
		partial bool
	}{
		{"rtconf's layout", manyRuntimes(5, ""), "rt-03", true},
		{"a section after the runtimes", manyRuntimes(5, "argocd:\n  namespace: argocd\n# end\n"), "rt-00", true},
		{"entries in column 0", "repository:\n  url: https://github.com/acme/shared-config\nruntimes:\n- name: a\n  namespace: a\n- name: b\n  namespace: b\n", "b", true},
		{"comment after the key", "repository:\n  url: https://github.com/acme/shared-config\nruntimes: # all\n  - name: a\n    namespace: a\n", "a", true},
		{"block scalar in the runtime", "repository:\n  url: https://github.com/acme/shared-config\nruntimes:\n  - name: a\n    namespace: |-\n      a\n  - name: b\n    namespace: b\n", "a", true},
		{"name in another entry's text too", strings.Replace(manyRuntimes(4, ""), "    users:\n      - alice\n\n  # runtime 3", "    users:\n      - rt-01\n\n  # runtime 3", 1), "rt-01", true},
		{"flow style", "repository: {url: https://github.com/acme/shared-config}\nruntimes: [{name: a, namespace: a}, {name: b, namespace: b}]\n", "a", false},
		{"tabs", strings.Replace(manyRuntimes(2, ""), "# runtime 1", "#\truntime 1", 1), "rt-00", false},
		{"carriage returns", strings.ReplaceAll(manyRuntimes(2, ""), "\n", "\r\n"), "rt-00", false},
		{"document marker", "---\n" + manyRuntimes(2, ""), "rt-00", false},
		{"repeated runtimes key", manyRuntimes(2, "runtimes:\n  - name: c\n    namespace: c\n"), "rt-00", false},
		{"entry indented differently", "repository:\n  url: https://github.com/acme/shared-config\nruntimes:\n  - name: a\n    namespace: a\n - name: b\n   namespace: b\n", "a", false},
		{"unknown runtime", manyRuntimes(3, ""), "nope", false},
		{"alias to a blanked entry", "repository:\n  url: https://github.com/acme/shared-config\nruntimes:\n  - name: a\n    namespace: &ns shared\n  - name: b\n    namespace: *ns\n", "b", false},
		{"problem in the runtime", strings.Replace(manyRuntimes(3, ""), "namespace: ns-01", "namespace: NS", 1), "rt-01", false},
		{"problem in a section", strings.Replace(manyRuntimes(3, ""), "url: https", "url: http", 1), "rt-01", false},
		{"no runtimes key", "repository:\n  url: https://github.com/acme/shared-config\n", "a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full, fullErr := Parse(testFile, []byte(tc.data))
			got, err := ParseRuntimes(testFile, []byte(tc.data), tc.runtime)
			if got.Partial() != tc.partial {
				t.Fatalf("Partial() = %v, want %v (err %v)", got.Partial(), tc.partial, err)
			}
			if !tc.partial {
				// Parse's own answer, problems and all.
				if diff := cmp.Diff(fmt.Sprint(fullErr), fmt.Sprint(err)); diff != "" {
					t.Errorf("error (-Parse +ParseRuntimes):\n%s", diff)
				}
				if diff := cmp.Diff(full, got, cmp.AllowUnexported(Config{}, positions{})); diff != "" {
					t.Errorf("config (-Parse +ParseRuntimes):\n%s", diff)
				}
				return
			}
			if err != nil || fullErr != nil {
				t.Fatalf("ParseRuntimes: %v; Parse: %v", err, fullErr)
			}
			want, _ := full.Runtime(tc.runtime)
			rt, ok := got.Runtime(tc.runtime)
			if !ok {
				t.Fatalf("runtime %q missing from %+v", tc.runtime, got.Runtimes)
			}
			if diff := cmp.Diff(want, rt); diff != "" {
				t.Errorf("runtime (-Parse +ParseRuntimes):\n%s", diff)
			}
			if len(got.Runtimes) >= len(full.Runtimes) && len(full.Runtimes) > 2 {
				t.Errorf("read %d of %d runtimes, want fewer", len(got.Runtimes), len(full.Runtimes))
			}
			// Everything but the runtimes is Parse's, positions included.
			wantRest, gotRest := *full, *got
			wantRest.Runtimes, gotRest.Runtimes = nil, nil
			if diff := cmp.Diff(wantRest, gotRest, cmpopts.IgnoreUnexported(Config{})); diff != "" {
				t.Errorf("sections (-Parse +ParseRuntimes):\n%s", diff)
			}
			for _, ptr := range []string{"/repository/url", "/argocd/namespace"} {
				if g, w := got.Position(ptr), full.Position(ptr); g != w {
					t.Errorf("Position(%s) = %v, want %v", ptr, g, w)
				}
			}
			i := indexOf(full.Runtimes, tc.runtime)
			j := indexOf(got.Runtimes, tc.runtime)
			if g, w := got.Position(fmt.Sprintf("/runtimes/%d/namespace", j)), full.Position(fmt.Sprintf("/runtimes/%d/namespace", i)); g != w {
				t.Errorf("position of the runtime's namespace = %v, want %v (the file's line)", g, w)
			}
		})
	}
}

func indexOf(rts []Runtime, name string) int {
	for i, rt := range rts {
		if rt.Name == name {
			return i
		}
	}
	return -1
}

// TestParseRuntimesOtherEntries shows the trade: a problem in an entry
// that is not read does not stop a command on another runtime; Parse
// (validate, generate) still reports it.
func TestParseRuntimesOtherEntries(t *testing.T) {
	data := []byte(strings.Replace(manyRuntimes(3, ""), "namespace: ns-02", "namespace: NOT_A_NAME", 1))
	if _, err := Parse(testFile, data); err == nil {
		t.Fatal("Parse accepted an invalid namespace")
	}
	cfg, err := ParseRuntimes(testFile, data, "rt-00")
	if err != nil || !cfg.Partial() {
		t.Fatalf("ParseRuntimes = %v, %v; want a partial config", cfg, err)
	}
	if len(cfg.Runtimes) != 1 || cfg.Runtimes[0].Name != "rt-00" {
		t.Errorf("runtimes = %+v, want only rt-00", cfg.Runtimes)
	}
}

// FuzzParseRuntimes checks ParseRuntimes against Parse: whatever Parse
// accepts, ParseRuntimes accepts too, with the same sections and the same
// runtime; whatever it refuses with a full answer, it refuses alike.
func FuzzParseRuntimes(f *testing.F) {
	f.Add([]byte(manyRuntimes(3, "argocd:\n  namespace: x\n")), "rt-01")
	f.Add([]byte(validConfig), "staging")
	f.Add([]byte("repository:\n  url: https://github.com/acme/shared-config\nruntimes:\n- name: a\n  namespace: a\n- name: b\n  namespace: |\n   b\n"), "a")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		full, fullErr := Parse("fuzz.yaml", data)
		got, err := ParseRuntimes("fuzz.yaml", data, name)
		if !got.Partial() {
			if fmt.Sprint(err) != fmt.Sprint(fullErr) {
				t.Fatalf("not partial, and the error differs from Parse's: %v, want %v", err, fullErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("a partial config beside an error: %v", err)
		}
		if fullErr != nil {
			return // a problem in an entry not read, or across entries
		}
		want, ok := full.Runtime(name)
		rt, _ := got.Runtime(name)
		if !ok {
			t.Fatalf("ParseRuntimes found %q, Parse did not:\n%q", name, data)
		}
		if diff := cmp.Diff(want, rt); diff != "" {
			t.Errorf("runtime (-Parse +ParseRuntimes):\n%s\n%q", diff, data)
		}
		wantRest, gotRest := *full, *got
		wantRest.Runtimes, gotRest.Runtimes = nil, nil
		if diff := cmp.Diff(wantRest, gotRest, cmpopts.IgnoreUnexported(Config{})); diff != "" {
			t.Errorf("sections (-Parse +ParseRuntimes):\n%s\n%q", diff, data)
		}
	})
}
