package output

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/rtconf/rtconf/internal/validator"
)

// JUnit names.
const (
	junitSuiteName  = "rtconf validate"
	junitRuntime    = "runtime"
	junitRepository = "repository"
)

// junitWriter writes JUnit XML: one test suite, one test case per runtime
// and one, "repository", for the findings that belong to no runtime. A case
// fails when it has errors; its warnings and notes go to its system-out.
type junitWriter struct {
	version string
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

// junitGroup gathers one test case's findings.
type junitGroup struct {
	classname, name string
	errors          []validator.Finding
	others          []validator.Finding
}

func (j junitWriter) Write(w io.Writer, r validator.Report) error {
	groups, byRuntime := []*junitGroup{}, map[string]*junitGroup{}
	addRuntime := func(name string) *junitGroup {
		g, ok := byRuntime[name]
		if !ok {
			g = &junitGroup{classname: junitRuntime, name: name}
			byRuntime[name] = g
			groups = append(groups, g)
		}
		return g
	}
	for _, rt := range r.Runtimes {
		addRuntime(rt)
	}
	repo := &junitGroup{classname: toolName, name: junitRepository}
	for _, f := range r.Findings {
		g := repo
		if f.Runtime != "" {
			// A runtime that the report does not list still gets its case.
			g = addRuntime(f.Runtime)
		}
		if level(f.Severity) == validator.Error {
			g.errors = append(g.errors, f)
		} else {
			g.others = append(g.others, f)
		}
	}
	groups = append(groups, repo)

	suite := junitSuite{Name: junitSuiteName, Tests: len(groups)}
	if j.version != "" {
		suite.Properties = append(suite.Properties, junitProperty{Name: "rtconf.version", Value: j.version})
	}
	if r.Shard != "" {
		suite.Properties = append(suite.Properties, junitProperty{Name: "rtconf.shard", Value: oneLine(r.Shard)})
	}
	for _, g := range groups {
		c := junitCase{Classname: g.classname, Name: oneLine(g.name)}
		if len(g.errors) > 0 {
			suite.Failures++
			c.Failure = &junitFailure{
				Message: plural(len(g.errors), "error"),
				Type:    string(validator.Error),
				Body:    junitLines(g.errors),
			}
		}
		if len(g.others) > 0 {
			c.SystemOut = &junitText{Text: junitLines(g.others)}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{
		Name:     toolName,
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Suites:   []junitSuite{suite},
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(out)+"\n")
	return err
}

// junitLines renders findings as the text format does, without colours.
// The text is safe (safetext), so it holds only characters XML allows, and
// it goes into CDATA, which encoding/xml splits around any "]]>".
func junitLines(fs []validator.Finding) string {
	var b strings.Builder
	b.WriteByte('\n')
	for _, f := range fs {
		textWriter{}.finding(&b, f)
	}
	return b.String()
}
