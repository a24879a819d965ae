package safetext_test

import (
	"io"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/safetext"
)

// BenchmarkWriter: the cost of passing a large report through a Writer.
func BenchmarkWriter(b *testing.B) {
	line := `overlays/prod-123/runtime-token.yaml:7:5: warning: SealedSecret prod-123-git-runtime-token was sealed with certificate sha256:61a0a49a90123635e59d8c183d836f00583a50b852d2b8a0052017143c84029d [ciphertext]` + "\n"
	in := []byte(strings.Repeat(line, 10000))
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		w := safetext.NewWriter(io.Discard, safetext.Options{})
		_, _ = w.Write(in)
		_ = w.Flush()
	}
}
