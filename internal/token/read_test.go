package token_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rtconf/rtconf/internal/forge/github"
	"github.com/rtconf/rtconf/internal/token"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRead(t *testing.T) {
	tests := []struct {
		name string
		src  token.Source
		want string
		kind token.Kind
	}{
		{name: "file", src: token.Source{File: writeFile(t, "token", classic)}, want: classic, kind: github.Classic},
		{name: "file with LF", src: token.Source{File: writeFile(t, "token", classic+"\n")}, want: classic, kind: github.Classic},
		{name: "file with CRLF", src: token.Source{File: writeFile(t, "token", fineGrained+"\r\n")}, want: fineGrained, kind: github.FineGrained},
		{name: "longest token with CRLF from a file", src: token.Source{File: writeFile(t, "token", "ghp_"+alnum(30, 251)+"\r\n")}, want: "ghp_" + alnum(30, 251), kind: github.Classic},
		{name: "env", src: token.Source{Env: "GH_TOKEN", Getenv: env(map[string]string{"GH_TOKEN": classic2})}, want: classic2, kind: github.Classic},
		{name: "env with LF", src: token.Source{Env: "GH_TOKEN", Getenv: env(map[string]string{"GH_TOKEN": legacy + "\n"})}, want: legacy, kind: github.Classic},
		{name: "stdin", src: token.Source{Stdin: strings.NewReader(fineGrained + "\n")}, want: fineGrained, kind: github.FineGrained},
		{name: "stdin one byte at a time", src: token.Source{Stdin: iotest.OneByteReader(strings.NewReader(classic))}, want: classic, kind: github.Classic},
		{name: "file wins over stdin", src: token.Source{File: writeFile(t, "token", classic), Stdin: strings.NewReader(classic2)}, want: classic, kind: github.Classic},
		{name: "env wins over stdin", src: token.Source{Env: "T", Getenv: env(map[string]string{"T": classic}), Stdin: strings.NewReader(classic2)}, want: classic, kind: github.Classic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := token.Read(withParse(tt.src))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if tok.Reveal() != tt.want || tok.Kind() != tt.kind {
				t.Errorf("Read = %q (%s), want %q (%s)", tok.Reveal(), tok.Kind(), tt.want, tt.kind)
			}
		})
	}
}

func TestReadEnvFallsBackToOSGetenv(t *testing.T) {
	t.Setenv("RTCONF_TEST_TOKEN", classic)
	tok, err := token.Read(token.Source{Env: "RTCONF_TEST_TOKEN", Parse: github.ParseToken})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Reveal() != classic {
		t.Errorf("Read = %v, want the value of the environment variable", tok)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing-token")
	bad := "ghp_" + alnum(31, 20) + "-" + alnum(31, 15)
	badFile := writeFile(t, "bad", bad+"\n")
	emptyFile := writeFile(t, "empty", "")
	tests := []struct {
		name                   string
		src                    token.Source
		want                   string
		format                 bool   // a *token.FormatError in the chain
		is                     error  // errors.Is target, when not nil
		secret                 string // must not appear in the error
		wantPrefix, wantSuffix string // instead of want, when set
	}{
		{
			name: "file and env",
			src:  token.Source{File: writeFile(t, "token", classic), Env: "GH_TOKEN", Getenv: env(map[string]string{"GH_TOKEN": classic2})},
			want: "give either --token-file or --token-env, not both",
		},
		{
			name: "no source",
			src:  token.Source{},
			want: "no token source: pipe the token to standard input, or use --token-file or --token-env",
		},
		{
			name: "missing file",
			src:  token.Source{File: missing},
			want: "read token file " + missing + ": no such file or directory",
			is:   fs.ErrNotExist,
		},
		{
			name: "directory",
			src:  token.Source{File: dir},
			want: "read token file " + dir + ": is a directory",
		},
		{
			name:   "bad token in a file",
			src:    token.Source{File: badFile},
			want:   "token file " + badFile + ": the token contains a character that no GitHub token has, at character 25",
			format: true,
			secret: bad,
		},
		{
			name:   "empty file",
			src:    token.Source{File: emptyFile},
			want:   "token file " + emptyFile + ": " + msgEmpty,
			format: true,
		},
		{
			name:   "unset env",
			src:    token.Source{Env: "GH_TOKEN", Getenv: env(nil)},
			want:   "environment variable GH_TOKEN: " + msgEmpty,
			format: true,
		},
		{
			name:   "two tokens in env",
			src:    token.Source{Env: "GH_TOKEN", Getenv: env(map[string]string{"GH_TOKEN": classic + "\n" + classic2})},
			want:   "environment variable GH_TOKEN: the token contains whitespace at character 41" + msgOneToken,
			format: true,
			secret: classic + " " + classic2,
		},
		{
			name:   "bad token on stdin",
			src:    token.Source{Stdin: strings.NewReader(bad)},
			want:   "standard input: the token contains a character that no GitHub token has, at character 25",
			format: true,
			secret: bad,
		},
		{
			name: "stdin fails",
			src:  token.Source{Stdin: iotest.ErrReader(errors.New("broken pipe"))},
			want: "read standard input: broken pipe",
		},
		{
			// The length is that of what was read, at most 258 bytes:
			// only the prefix and suffix are asserted (see the report).
			name:       "too long in a file",
			src:        token.Source{File: writeFile(t, "long", "ghp_"+alnum(32, 400))},
			format:     true,
			secret:     "ghp_" + alnum(32, 400),
			wantPrefix: "token file ",
			wantSuffix: "longer than 255 characters, the most a GitHub token has",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := token.Read(withParse(tt.src))
			if err == nil {
				t.Fatalf("Read succeeded with %v, want an error", tok)
			}
			got := err.Error()
			if tt.wantPrefix != "" {
				if !strings.HasPrefix(got, tt.wantPrefix+tt.src.File+": the token is ") || !strings.HasSuffix(got, tt.wantSuffix) {
					t.Errorf("error %q, want %q…%q", got, tt.wantPrefix+tt.src.File, tt.wantSuffix)
				}
			} else if got != tt.want {
				t.Errorf("error:\n got %q\nwant %q", got, tt.want)
			}
			if token.IsFormatError(err) != tt.format {
				t.Errorf("IsFormatError = %v, want %v", !tt.format, tt.format)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if tt.src.File != "" && strings.Count(got, tt.src.File) > 1 {
				t.Errorf("error repeats the path: %q", got)
			}
			assertNoSecret(t, got, tt.secret)
			for _, v := range []string{classic, classic2} {
				if strings.Contains(got, v) {
					t.Errorf("error %q contains a token", got)
				}
			}
		})
	}
}

// withParse gives s GitHub's token shapes, as the CLI does.
func withParse(s token.Source) token.Source {
	s.Parse = github.ParseToken
	return s
}
