package validator

import (
	"testing"

	"github.com/rtconf/rtconf/internal/labels"
)

// TestSealCommands: the token-record hints name the command that clears
// them, for the runtime token and for a user's token.
func TestSealCommands(t *testing.T) {
	for _, tc := range []struct {
		use            string
		lbl            map[string]any
		reseal, rotate string
	}{
		{labels.TokenRuntime, map[string]any{labels.Runtime: "prod"},
			"rtconf seal runtime-token --runtime prod", "rtconf token rotate --runtime prod"},
		{labels.TokenUser, map[string]any{labels.Runtime: "prod", labels.User: "alice"},
			"rtconf seal user-token --runtime prod --user alice", "rtconf token rotate --runtime prod --user alice"},
		{labels.TokenUser, map[string]any{},
			"rtconf seal user-token --runtime NAME --user LOGIN", "rtconf token rotate --runtime NAME --user LOGIN"},
	} {
		reseal, rotate := sealCommands(tc.use, tc.lbl)
		if reseal != tc.reseal || rotate != tc.rotate {
			t.Errorf("sealCommands(%s, %v) = %q, %q; want %q, %q", tc.use, tc.lbl, reseal, rotate, tc.reseal, tc.rotate)
		}
	}
}
