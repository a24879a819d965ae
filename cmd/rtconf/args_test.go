package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/rtconf/rtconf/internal/testclock"
)

func TestReorderArgs(t *testing.T) {
	tests := []struct {
		name string
		args string
		want string
	}{
		{
			name: "program only",
			args: "rtconf",
			want: "rtconf",
		},
		{
			name: "init DIR then flags",
			args: "rtconf init repo --repo https://github.com/acme/shared-config --runtime prod",
			want: "rtconf init --repo https://github.com/acme/shared-config --runtime prod -- repo",
		},
		{
			name: "flags before DIR",
			args: "rtconf init --repo https://github.com/acme/shared-config --runtime prod repo",
			want: "rtconf init --repo https://github.com/acme/shared-config --runtime prod -- repo",
		},
		{
			name: "flags around DIR",
			args: "rtconf init --repo u repo --user alice --user bob",
			want: "rtconf init --repo u --user alice --user bob -- repo",
		},
		{
			name: "single dash flag takes its value",
			args: "rtconf init repo -repo u",
			want: "rtconf init -repo u -- repo",
		},
		{
			name: "value joined with equals",
			args: "rtconf generate --dir=x --config=other.yaml",
			want: "rtconf generate --dir=x --config=other.yaml",
		},
		{
			name: "value joined with equals after DIR",
			args: "rtconf init repo --repo=u",
			want: "rtconf init --repo=u -- repo",
		},
		{
			name: "dir flag with separate value",
			args: "rtconf generate --dir x",
			want: "rtconf generate --dir x",
		},
		{
			name: "bool flag does not take DIR as its value",
			args: "rtconf init --demo demo",
			want: "rtconf init --demo -- demo",
		},
		{
			name: "bool flag after DIR",
			args: "rtconf init demo --demo",
			want: "rtconf init --demo -- demo",
		},
		{
			name: "generate dry run then DIR",
			args: "rtconf generate --dry-run repo",
			want: "rtconf generate --dry-run -- repo",
		},
		{
			name: "double dash keeps an argument that starts with a dash",
			args: "rtconf generate --dry-run -- -odd-dir",
			want: "rtconf generate --dry-run -- -odd-dir",
		},
		{
			name: "double dash after DIR and flags",
			args: "rtconf generate repo --dry-run -- -odd --dir",
			want: "rtconf generate --dry-run -- repo -odd --dir",
		},
		{
			name: "lone dash is an argument",
			args: "rtconf generate -",
			want: "rtconf generate -- -",
		},
		{
			name: "flag missing its value at the end",
			args: "rtconf init repo --repo",
			want: "rtconf init --repo -- repo",
		},
		{
			name: "unknown flag is kept for the parser to refuse",
			args: "rtconf init repo --bogus",
			want: "rtconf init --bogus -- repo",
		},
		{
			name: "unknown command is left alone",
			args: "rtconf frob repo --dir x",
			want: "rtconf frob repo --dir x",
		},
		{
			name: "global help",
			args: "rtconf --help",
			want: "rtconf --help",
		},
		{
			name: "global help before a command",
			args: "rtconf --help init",
			want: "rtconf --help init",
		},
		{
			name: "command help after DIR",
			args: "rtconf init repo --help",
			want: "rtconf init --help",
		},
		{
			name: "global version",
			args: "rtconf -v",
			want: "rtconf -v",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(strings.NewReader(""), io.Discard, io.Discard, testclock.Fixed(testclock.Default()), func(error) {})
			got := reorderArgs(app, strings.Fields(tt.args))
			if want := strings.Fields(tt.want); !slices.Equal(got, want) {
				t.Errorf("reorderArgs(%q)\n got %q\nwant %q", tt.args, got, want)
			}
		})
	}
}
