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

func TestResultCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    forge.Result
		want int
	}{
		{"granted", forge.Result{Requirements: []forge.Requirement{{Verdict: forge.Granted}}}, 0},
		{"unknown", forge.Result{Requirements: []forge.Requirement{{Verdict: forge.Unknown}}}, 2},
		{"missing wins", forge.Result{Requirements: []forge.Requirement{{Verdict: forge.Unknown}, {Verdict: forge.Missing}}}, 1},
		{"expired", forge.Result{Expired: true}, 1},
		{"invalid", forge.Result{Invalid: true}, 1},
	} {
		if got := tc.r.Code(); got != tc.want {
			t.Errorf("%s: Code() = %d, want %d", tc.name, got, tc.want)
		}
	}
}
