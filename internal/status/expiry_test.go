package status_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rtconf/rtconf/internal/status"
)

func TestExpiries(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sealed := func(path, expires string) status.Token {
		return status.Token{State: status.Sealed, Path: path, ExpiresAt: expires}
	}
	rep := status.Report{Runtimes: []status.Runtime{
		{
			Name:         "prod",
			RuntimeToken: sealed("overlays/prod/runtime-token.yaml", "2026-12-20T00:00:00Z"),
			Users: []status.Token{
				func() status.Token {
					u := sealed("overlays/prod/user-tokens/alice.yaml", "2026-12-03T00:00:00Z")
					u.User = "alice"
					return u
				}(),
				{User: "bob", State: status.Pending, Path: "overlays/prod/user-tokens/bob.yaml"},
				{User: "carol", State: status.Covered},
			},
		},
		{Name: "staging", RuntimeToken: sealed("overlays/staging/runtime-token.yaml", "2026-11-30T00:00:00Z")},
		{Name: "dev", RuntimeToken: sealed("overlays/dev/runtime-token.yaml", "")},
	}}
	got, err := status.Expiries(rep, now, 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []status.Expiring{
		{Runtime: "staging", Path: "overlays/staging/runtime-token.yaml", ExpiresAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Reseal: "rtconf seal runtime-token --runtime staging"},
		{Runtime: "prod", User: "alice", Path: "overlays/prod/user-tokens/alice.yaml", ExpiresAt: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), Reseal: "rtconf seal user-token --runtime prod --user alice"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Expiries (-want +got):\n%s", diff)
	}

	var text, md bytes.Buffer
	if err := status.WriteExpiryText(&text, got, now, 14*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	wantText := "overlays/staging/runtime-token.yaml: runtime token of staging expired on 2026-11-30; replace it: rtconf seal runtime-token --runtime staging\n" +
		"overlays/prod/user-tokens/alice.yaml: user token of alice on prod expires on 2026-12-03, in 1 day; replace it: rtconf seal user-token --runtime prod --user alice\n" +
		"2 sealed Git tokens expire within 14 days\n"
	if diff := cmp.Diff(wantText, text.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if err := status.WriteExpiryMarkdown(&md, got, now, 14*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	wantMD := "## rtconf: Git tokens that expire within 14 days\n\n" +
		"Argo CD and the runtime stop syncing when a runtime token expires (Codefresh shows the runtime as not active). " +
		"Create a new token with the same scopes and seal it with the command shown, then merge the change.\n\n" +
		"| token | expiry | file | replace it with |\n|---|---|---|---|\n" +
		"| runtime token of staging | expired on 2026-11-30 | `overlays/staging/runtime-token.yaml` | `rtconf seal runtime-token --runtime staging` |\n" +
		"| user token of alice on prod | expires on 2026-12-03, in 1 day | `overlays/prod/user-tokens/alice.yaml` | `rtconf seal user-token --runtime prod --user alice` |\n" +
		"\n_Checked 2026-12-01 12:00 UTC by `rtconf token expiry`._\n"
	if diff := cmp.Diff(wantMD, md.String()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}

func TestExpiriesBadRecord(t *testing.T) {
	rep := status.Report{Runtimes: []status.Runtime{{
		Name:         "prod",
		RuntimeToken: status.Token{State: status.Sealed, Path: "overlays/prod/runtime-token.yaml", ExpiresAt: "soon"},
	}}}
	_, err := status.Expiries(rep, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), time.Hour)
	want := `overlays/prod/runtime-token.yaml: recorded expiry "soon" is not an RFC 3339 time; seal the token again`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
