package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a syntax error at the line of the construct that
// encloses the mistake, and for parser errors that line is 0-based: a key
// indented wrongly on line 14 of a list that starts on line 10 is reported
// at "line 9", an unclosed flow list one line before its '['. It gives no
// column, and no line at all for the first line. SyntaxError finds the
// real place from the input.

// maxLocateBytes bounds the bytes SyntaxError parses again while it looks
// for the line of a mistake; past it, yaml.v3's line is kept.
const maxLocateBytes = 16 << 20

var yamlErrLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlMessage splits a yaml.v3 error into its line (0 when none) and its
// message without the "yaml: line N: " prefix.
func yamlMessage(err error) (int, string) {
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// SyntaxError returns where the YAML syntax error err, met while decoding
// data, is (line and column, 1-based; zero when unknown), what is wrong
// (yaml.v3's message without its position) and what to do.
func SyntaxError(data []byte, err error) (Position, string, string) {
	line, msg := yamlMessage(err)
	pos := Position{Line: line}
	lines, ok := splitLines(data)
	if !ok {
		return pos, msg, syntaxHint(msg, "")
	}
	l := firstFailingLine(data, lines, line, msg)
	if l < 1 || l > len(lines) {
		// Not found again (another parser's message, or past the
		// budget): yaml's line, without a column.
		return pos, msg, syntaxHint(msg, "")
	}
	pos.Line = l
	col, what := syntaxColumn(data, lines, pos.Line, msg)
	pos.Column = col
	return pos, msg, syntaxHint(msg, what)
}

// splitLines returns the end offset (past its line break) of every line of
// data; false when data breaks lines in a way other than \n or \r\n, which
// yaml.v3 counts but this does not.
func splitLines(data []byte) ([]int, bool) {
	if bytes.ContainsAny(data, "\u0085\u2028\u2029") {
		return nil, false
	}
	var ends []int
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				return nil, false
			}
		case '\n':
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	return ends, true
}

// firstFailingLine returns the first line, from line from on, such that
// the document cut after it fails with the message msg: the line where
// the parser met the mistake. 0 when none is found within the budget.
func firstFailingLine(data []byte, ends []int, from int, msg string) int {
	if from < 1 {
		from = 1
	}
	budget := maxLocateBytes
	for l := from; l <= len(ends); l++ {
		end := ends[l-1]
		if budget -= end; budget < 0 {
			return 0
		}
		if _, m, failed := decodeAll(data[:end]); failed && m == msg {
			return l
		}
	}
	return 0
}

// decodeAll decodes every document of data and returns the message of the
// first error.
func decodeAll(data []byte) (int, string, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return 0, "", false
		}
		if err != nil {
			l, m := yamlMessage(err)
			return l, m, true
		}
	}
}

// syntaxColumn returns the column on line l of the mistake msg, and what
// is there when it is worth naming ("'['", "'{'", "'\"'", "tab").
func syntaxColumn(data []byte, ends []int, l int, msg string) (int, string) {
	start := 0
	if l > 1 {
		start = ends[l-2]
	}
	text := strings.TrimRight(string(data[start:ends[l-1]]), "\r\n")
	switch {
	case strings.Contains(msg, "',' or ']'"), strings.Contains(msg, "',' or '}'"):
		if line, col, open := unclosedFlow(data, ends, l); open != 0 && line == l {
			return col, string(open)
		}
	case msg == "found unexpected end of stream":
		if i, q := unclosedQuote(text); i >= 0 {
			return columnOf(text, i), string(q)
		}
	case msg == "mapping values are not allowed in this context":
		if i := mappingIndicator(text); i >= 0 {
			return columnOf(text, i), ""
		}
	case msg == "found character that cannot start any token":
		indent := len(text) - len(strings.TrimLeft(text, " \t"))
		if i := strings.IndexByte(text[:indent], '\t'); i >= 0 {
			return columnOf(text, i), "tab"
		}
		if i := strings.IndexAny(text, "\t@`"); i >= 0 {
			if text[i] == '\t' {
				return columnOf(text, i), "tab"
			}
			return columnOf(text, i), string(text[i])
		}
	case strings.HasPrefix(msg, "unknown anchor '"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		if i := strings.Index(text, "*"+name); i >= 0 {
			return columnOf(text, i), ""
		}
	}
	return columnOf(text, len(text)-len(strings.TrimLeft(text, " "))), ""
}

// columnOf is the 1-based column, in characters, of byte i of text.
func columnOf(text string, i int) int {
	if i > len(text) {
		i = len(text)
	}
	return utf8.RuneCountInString(text[:i]) + 1
}

// unclosedFlow returns the line, column and character of the outermost
// flow collection ('[' or '{') still open at the end of line l, reading
// lines 1..l outside quotes and comments; open is 0 when none is.
func unclosedFlow(data []byte, ends []int, l int) (line, col int, open byte) {
	type opener struct {
		line, col int
		c         byte
	}
	var stack []opener
	start := 0
	for n := 1; n <= l; n++ {
		text := strings.TrimRight(string(data[start:ends[n-1]]), "\r\n")
		start = ends[n-1]
		var quote byte
		for i := 0; i < len(text); i++ {
			c := text[i]
			if quote != 0 {
				if c == quote {
					if quote == '\'' && i+1 < len(text) && text[i+1] == '\'' {
						i++
						continue
					}
					quote = 0
				} else if c == '\\' && quote == '"' {
					i++
				}
				continue
			}
			switch c {
			case '#':
				if i == 0 || text[i-1] == ' ' || text[i-1] == '\t' {
					i = len(text)
				}
			case '"', '\'':
				if i == 0 || strings.IndexByte(" \t[{,:", text[i-1]) >= 0 {
					quote = c
				}
			case '[', '{':
				stack = append(stack, opener{n, columnOf(text, i), c})
			case ']', '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	if len(stack) == 0 {
		return 0, 0, 0
	}
	return stack[0].line, stack[0].col, stack[0].c
}

// unclosedQuote returns the byte offset and character of a quote opened on
// text and not closed on it, -1 when none is.
func unclosedQuote(text string) (int, byte) {
	at, quote := -1, byte(0)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			if c == quote {
				if quote == '\'' && i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				quote = 0
			} else if c == '\\' && quote == '"' {
				i++
			}
			continue
		}
		if c == '#' && (i == 0 || text[i-1] == ' ') {
			break
		}
		if (c == '"' || c == '\'') && (i == 0 || strings.IndexByte(" \t[{,:-", text[i-1]) >= 0) {
			at, quote = i, c
		}
	}
	if quote == 0 {
		return -1, 0
	}
	return at, quote
}

// mappingIndicator returns the offset of the ':' that may not start a
// value on text: the second ": " outside quotes, or the first when there is
// only one (the line continues a plain scalar of the line above).
func mappingIndicator(text string) int {
	var found []int
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		if (c == '"' || c == '\'') && (i == 0 || strings.IndexByte(" \t[{,:-", text[i-1]) >= 0) {
			quote = c
			continue
		}
		if c == ':' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\t') {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 0:
		return -1
	case 1:
		return found[0]
	}
	return found[1]
}

// syntaxHint says what to do about the syntax error msg; what is the
// character found at its place, if any.
func syntaxHint(msg, what string) string {
	switch {
	case what == "[":
		return "the flow list opened by this '[' is not closed: close it with ']' on this line, and separate its items with ','"
	case what == "{":
		return "the flow mapping opened by this '{' is not closed: close it with '}', and separate its entries with ','"
	case what == "tab":
		return "indent with spaces: YAML does not allow tabs in indentation"
	case what == `"` || what == "'":
		return "the string quoted from here is never closed: add the closing " + what
	case what == "@" || what == "`":
		return "YAML reserves " + what + " at the start of a value: quote the value"
	case msg == "mapping values are not allowed in this context":
		return "a value that contains ': ' must be quoted (key: \"a: b\"); a key must be on its own line, indented like the keys beside it"
	case strings.Contains(msg, "',' or ']'"), strings.Contains(msg, "',' or '}'"):
		return "a flow list [...] or mapping {...} is not closed, or its items are not separated by ','"
	case msg == "did not find expected key", msg == "did not find expected '-' indicator",
		msg == "block sequence entries are not allowed in this context":
		return "this line is indented differently from the lines it belongs with: indent it like the keys (or '- ' items) beside it, with spaces"
	case msg == "could not find expected ':'":
		return "a key needs ': ' after it; a value that goes on over several lines must be quoted"
	case strings.HasPrefix(msg, "unknown anchor"):
		return "define the anchor (&name) before the alias (*name) that uses it, or write the value out"
	}
	return "fix the YAML syntax at that position"
}
