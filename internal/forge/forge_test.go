package forge_test

import (
	"slices"
	"testing"

	"github.com/rtconf/rtconf/internal/forge"
)

func TestNeedFor(t *testing.T) {
	for _, tc := range []struct {
		kind   forge.Kind
		asUser bool
		also   []forge.Kind
	}{
		{forge.RuntimeToken, false, nil},
		{forge.RuntimeToken, true, []forge.Kind{forge.UserToken}},
		{forge.UserToken, true, nil},
		{forge.UserToken, false, nil},
	} {
		n := forge.NeedFor(tc.kind, tc.asUser)
		if n.Kind != tc.kind || !slices.Equal(n.Also, tc.also) {
			t.Errorf("NeedFor(%s, %v) = %+v, want also %v", tc.kind, tc.asUser, n, tc.also)
		}
	}
}

func TestResultOutcome(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    forge.Result
		want forge.Outcome
	}{
		{"granted", forge.Result{Requirements: []forge.Requirement{{Verdict: forge.Granted}}}, forge.Met},
		{"unknown", forge.Result{Requirements: []forge.Requirement{{Verdict: forge.Unknown}}}, forge.Inconclusive},
		{"missing wins", forge.Result{Requirements: []forge.Requirement{{Verdict: forge.Unknown}, {Verdict: forge.Missing}}}, forge.NotMet},
		{"expired", forge.Result{Expired: true}, forge.NotMet},
		{"invalid", forge.Result{Invalid: true}, forge.NotMet},
		{"expiring is a warning", forge.Result{Expiring: true, Requirements: []forge.Requirement{{Verdict: forge.Granted}}}, forge.Met},
	} {
		if got := tc.r.Outcome(); got != tc.want {
			t.Errorf("%s: Outcome() = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestUnion(t *testing.T) {
	rt, user := forge.NeedFor(forge.RuntimeToken, false), forge.NeedFor(forge.UserToken, false)
	for _, tc := range []struct {
		name  string
		needs []forge.Need
		want  forge.Need
	}{
		{"none", nil, forge.Need{}},
		{"one", []forge.Need{rt}, rt},
		{"the same twice", []forge.Need{rt, rt}, rt},
		{"runtime and runtime as user", []forge.Need{rt, forge.NeedFor(forge.RuntimeToken, true)}, forge.NeedFor(forge.RuntimeToken, true)},
		{"user, then runtime", []forge.Need{user, rt}, forge.Need{Kind: forge.UserToken, Also: []forge.Kind{forge.RuntimeToken}}},
		{"also of the first repeated", []forge.Need{forge.NeedFor(forge.RuntimeToken, true), user, rt}, forge.NeedFor(forge.RuntimeToken, true)},
	} {
		got := forge.Union(tc.needs...)
		if got.Kind != tc.want.Kind || !slices.Equal(got.Also, tc.want.Also) {
			t.Errorf("%s: Union = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
