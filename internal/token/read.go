package token

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Source says where to read a token from: exactly one of a file, an
// environment variable, or (when both are empty) standard input. A token is
// never taken from a command-line flag's value, which ps and shell history
// would show.
type Source struct {
	File  string
	Env   string
	Stdin io.Reader
	// Getenv reads the environment; os.Getenv when nil.
	Getenv func(string) string
	// Parse checks the value's shape: the Git host's provider's
	// ParseToken (or, before the provider is known, one that accepts any
	// known host's token).
	Parse func(string) (Token, error)
}

// Validate checks that the source names one place.
func (s Source) Validate() error {
	if s.File != "" && s.Env != "" {
		return errors.New("give either --token-file or --token-env, not both")
	}
	if s.File == "" && s.Env == "" && s.Stdin == nil {
		return errors.New("no token source: pipe the token to standard input, or use --token-file or --token-env")
	}
	if s.Parse == nil {
		return errors.New("token: no parser for the token's shape")
	}
	return nil
}

// Read reads and parses the token. Errors name the source, never the token.
func Read(s Source) (Token, error) {
	if err := s.Validate(); err != nil {
		return Token{}, err
	}
	var raw []byte
	var where string
	switch {
	case s.File != "":
		where = "token file " + s.File
		f, err := os.Open(s.File)
		if err != nil {
			return Token{}, fmt.Errorf("read %s: %w", where, pathless(err))
		}
		defer f.Close()
		raw, err = io.ReadAll(io.LimitReader(f, MaxRead))
		if err != nil {
			return Token{}, fmt.Errorf("read %s: %w", where, pathless(err))
		}
	case s.Env != "":
		where = "environment variable " + s.Env
		getenv := s.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		raw = []byte(getenv(s.Env))
	default:
		where = "standard input"
		var err error
		raw, err = io.ReadAll(io.LimitReader(s.Stdin, MaxRead))
		if err != nil {
			return Token{}, fmt.Errorf("read %s: %w", where, err)
		}
	}
	t, err := s.Parse(string(raw))
	if err != nil {
		return Token{}, fmt.Errorf("%s: %w", where, err)
	}
	return t, nil
}

// pathless drops the path an *os.PathError repeats, keeping its cause.
func pathless(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
