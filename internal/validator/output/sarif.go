package output

import (
	"encoding/json"
	"io"
	"net/url"

	"github.com/rtconf/rtconf/internal/validator"
)

// SARIF constants.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// sarifSrcRoot is the base every artifact URI is relative to: the root
	// of the checked-out repository, as code scanning expects.
	sarifSrcRoot = "%SRCROOT%"
	toolName     = "rtconf"
	toolURI      = "https://github.com/rtconf/rtconf"
)

// sarifWriter writes a SARIF 2.1.0 log with one run, for code scanning.
type sarifWriter struct {
	version string
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId,omitempty"`
	RuleIndex  *int            `json:"ruleIndex,omitempty"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties *sarifProps     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifProps struct {
	Runtime string `json:"runtime"`
}

func (s sarifWriter) Write(w io.Writer, r validator.Report) error {
	var rules []sarifRule
	index := map[string]int{}
	addRule := func(id, desc string) {
		if _, ok := index[id]; !ok {
			index[id] = len(rules)
			rules = append(rules, sarifRule{ID: id, ShortDescription: sarifMessage{Text: desc}})
		}
	}
	for _, rule := range validator.Rules() {
		addRule(rule.ID, rule.Description)
	}
	results := []sarifResult{}
	for _, f := range r.Findings {
		res := sarifResult{Level: string(level(f.Severity)), Message: sarifMessage{Text: f.Message}}
		if f.Hint != "" {
			res.Message.Text += "\nhint: " + f.Hint
		}
		if f.Rule != "" {
			// A rule rtconf does not describe still gets an entry, so that
			// every ruleIndex points at its rule.
			addRule(f.Rule, "rule "+f.Rule)
			i := index[f.Rule]
			res.RuleID, res.RuleIndex = f.Rule, &i
		}
		if f.Path != "" {
			res.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: artifactURI(f.Path), URIBaseID: sarifSrcRoot},
				Region:           region(f),
			}}}
		}
		if f.Runtime != "" {
			res.Properties = &sarifProps{Runtime: f.Runtime}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           toolName,
				Version:        s.version,
				InformationURI: toolURI,
				Rules:          rules,
			}},
			Results: results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// artifactURI turns a slash-separated relative path into a relative URI
// reference: escaped, and with "./" before a first segment that holds a
// colon, which would read as a scheme otherwise.
func artifactURI(path string) string {
	return (&url.URL{Path: path}).String()
}

// region is the finding's start, when its line is known.
func region(f validator.Finding) *sarifRegion {
	if f.Line < 1 {
		return nil
	}
	reg := &sarifRegion{StartLine: f.Line}
	if f.Column >= 1 {
		reg.StartColumn = f.Column
	}
	return reg
}
