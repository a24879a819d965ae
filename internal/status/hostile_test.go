package status_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/rtconf/rtconf/internal/hostile"
	"github.com/rtconf/rtconf/internal/status"
)

// TestHostileAnnotations: what a sealed file's annotations and the
// repository's names hold is printed safely by every writer of status and
// expiry (see internal/hostile).
func TestHostileAnnotations(t *testing.T) {
	h := hostile.Text()
	tok := status.Token{User: h, State: status.Sealed, Kind: h, SealedAt: h, ExpiresAt: h, Verification: h, Path: h}
	unknown := tok
	unknown.State = status.Unknown
	rep := status.Report{Runtimes: []status.Runtime{{
		Name: h, RuntimeToken: tok, Users: []status.Token{tok, unknown},
		Clusters: []status.Cluster{{Name: h}},
	}}}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	list := []status.Expiring{{Runtime: h, User: h, Path: h, ExpiresAt: now.Add(time.Hour), Reseal: h}, {Runtime: h, Path: h, Reseal: h}}

	for _, w := range []struct {
		name  string
		write func(*bytes.Buffer) error
		check func(testing.TB, string, []byte)
	}{
		{"status text", func(b *bytes.Buffer) error { return status.WriteText(b, rep) }, logOnly},
		{"status json", func(b *bytes.Buffer) error { return status.WriteJSON(b, rep) }, jsonLog},
		{"expiry text", func(b *bytes.Buffer) error { return status.WriteExpiryText(b, list, now, time.Hour) }, logOnly},
		{"expiry markdown", func(b *bytes.Buffer) error { return status.WriteExpiryMarkdown(b, list, now, time.Hour) }, hostile.CheckMarkdown},
		{"expiry json", func(b *bytes.Buffer) error { return status.WriteExpiryJSON(b, list) }, jsonLog},
	} {
		t.Run(w.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b); err != nil {
				t.Fatal(err)
			}
			w.check(t, w.name, b.Bytes())
		})
	}
}

func logOnly(tb testing.TB, where string, out []byte) { hostile.CheckLog(tb, where, out, nil) }

func jsonLog(tb testing.TB, where string, out []byte) {
	hostile.CheckLog(tb, where, out, nil)
	if !json.Valid(out) {
		tb.Errorf("%s: not valid JSON:\n%s", where, out)
	}
}
