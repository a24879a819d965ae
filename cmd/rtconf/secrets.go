package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rtconf/rtconf/internal/safetext"
	"github.com/rtconf/rtconf/internal/token"
)

// neverOnCommandLine is what every refusal of a secret on the command line
// tells the user.
const neverOnCommandLine = "never pass a token as an argument or a flag's value: pipe it to standard input, or use --token-file FILE or --token-env VAR"

// refuseSecrets refuses, before a command runs, any flag value or argument
// that holds a token-shaped value (token.Find) or a URL with a password,
// whatever the flag: such a value would be kept in shell history, could be
// written into the repository (rtconf.yaml, .git/config) and is never
// printed. The error names the flag or the argument's place, never the
// value.
func refuseSecrets(c *cli.Context) error {
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if !c.IsSet(name) {
			continue
		}
		var values []string
		switch f.(type) {
		case *cli.StringFlag:
			values = []string{c.String(name)}
		case *cli.StringSliceFlag:
			values = c.StringSlice(name)
		case *cli.GenericFlag:
			values = repeated(c, name)
		}
		for _, v := range values {
			if what := secretIn(v); what != "" {
				return &usageError{fmt.Sprintf("the value of --%s %s; %s", name, what, neverOnCommandLine)}
			}
		}
	}
	for i, a := range c.Args().Slice() {
		if what := secretIn(a); what != "" {
			return &usageError{fmt.Sprintf("argument %d %s; %s", i+1, what, neverOnCommandLine)}
		}
	}
	return nil
}

// secretIn says what secret v holds, or "".
func secretIn(v string) string {
	if len(token.Find(v)) > 0 {
		return "looks like a token (or holds one)"
	}
	if strings.Contains(v, "://") {
		if u, err := url.Parse(v); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				return "is a URL with a password (user:password@): give the URL without it"
			}
		}
	}
	return ""
}

// underlying is the writer beneath a safetext.Writer, for checks such as
// "is it a terminal".
func underlying(w io.Writer) io.Writer {
	if sw, ok := w.(*safetext.Writer); ok {
		return sw.Unwrap()
	}
	return w
}

// commandsAllowed is w that lets the github format's own workflow commands
// through, for the report on standard output.
func commandsAllowed(w io.Writer) io.Writer {
	if sw, ok := w.(*safetext.Writer); ok {
		o := sw.Options()
		o.Commands = true
		return sw.With(o)
	}
	return w
}
