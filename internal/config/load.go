package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxSize is the largest configuration file Load reads.
const MaxSize = 4 << 20

// Load reads and checks the configuration file at name in fsys. Problems
// with its content come back as *Error; other errors mean it could not be
// read.
func Load(fsys fs.FS, name string) (*Config, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	defer f.Close()
	return Read(f, name)
}

// Read reads a configuration from r and checks it like Parse; file names it
// in messages.
func Read(r io.Reader, file string) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	return Parse(file, data)
}

// Parse checks data, the content of the configuration file called file, and
// returns the configuration with defaults applied. Every problem found is
// reported in one *Error. No problem repeats a token-shaped value: names,
// keys and values are quoted in messages, and a token pasted into any of
// them is shown as token.Redacted.
func Parse(file string, data []byte) (*Config, error) {
	cfg, err := parse(file, data)
	var cerr *Error
	if errors.As(err, &cerr) {
		for i, p := range cerr.Problems {
			cerr.Problems[i] = p.redacted()
		}
	}
	return cfg, err
}

func parse(file string, data []byte) (*Config, error) {
	if len(data) > MaxSize {
		return nil, fileError(file, Position{}, fmt.Sprintf("file is larger than %d MiB", MaxSize>>20),
			"rtconf.yaml describes runtimes, not their manifests; keep manifests under resources/")
	}
	if pos, ok := invalidUTF8(data); !ok {
		return nil, fileError(file, pos, "file is not valid UTF-8", "save the file as UTF-8")
	}
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}

	conv := newConverter(file)
	doc := conv.convert(root, "")
	if conv.problems != nil {
		return nil, &Error{Problems: conv.problems}
	}

	// The schema's check only reads doc: it runs beside the decoding and
	// the semantic checks, which a large file makes worth it.
	schemaDone := make(chan []Problem, 1)
	go func() { schemaDone <- schemaProblems(file, doc, conv.pos) }()

	// Decode leniently so that the semantic checks can report their
	// problems beside the schema's: encoding/json fills in what it can.
	cfg := &Config{File: file, pos: conv.pos}
	raw, err := json.Marshal(doc)
	if err != nil {
		<-schemaDone
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(raw, cfg); err != nil && !errors.As(err, &typeErr) {
		// The schema's problems say what is wrong then; without any, the
		// decoder's error does.
		problems := <-schemaDone
		if len(problems) == 0 {
			return nil, fileError(file, Position{}, err.Error(), "")
		}
		return nil, &Error{Problems: sortProblems(append(problems, checks(cfg)...))}
	}
	semantic := checks(cfg)
	problems := append(<-schemaDone, semantic...)
	if len(problems) > 0 {
		return nil, &Error{Problems: sortProblems(problems)}
	}
	cfg.applyDefaults()
	return cfg, nil
}

func fileError(file string, pos Position, msg, hint string) *Error {
	return &Error{Problems: []Problem{{File: file, Position: pos, Message: msg, Hint: hint}}}
}

// invalidUTF8 returns the position of the first byte that is not UTF-8.
func invalidUTF8(data []byte) (Position, bool) {
	if utf8.Valid(data) {
		return Position{}, true
	}
	pos := Position{Line: 1, Column: 1}
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			return pos, false
		}
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
		}
		data = data[size:]
	}
	return pos, false
}

// parseYAML parses exactly one YAML document into a node tree.
func parseYAML(file string, data []byte) (*yaml.Node, error) {
	if onlyComments(data) {
		return nil, fileError(file, Position{}, "file is empty",
			"run `rtconf init` to write one, or see `rtconf schema` for its fields")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		return nil, yamlError(file, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlError(file, data, err)
	default:
		return nil, fileError(file, Position{Line: extra.Line, Column: extra.Column},
			"more than one YAML document", "keep the whole configuration in one document; remove the '---' separator")
	}
	return &root, nil
}

func yamlError(file string, data []byte, err error) error {
	pos, msg, hint := SyntaxError(data, err)
	return fileError(file, pos, "invalid YAML: "+msg, hint)
}

// onlyComments reports data with nothing but blank lines and comments.
func onlyComments(data []byte) bool {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
	out := ps[:0]
	for _, p := range ps {
		if len(out) > 0 && p == out[len(out)-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}
