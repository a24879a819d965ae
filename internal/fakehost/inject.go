package fakehost

import (
	"net/http"
	"strings"
	"time"
)

// Kind is what an injected rule does to the requests it matches.
type Kind int

const (
	KindFault Kind = iota // answer with the rule's Status, Header and Body
	KindHost              // answer as the fake's own rule, Host, says
	KindStall             // wait Delay (or until the client gives up), then answer as usual
	KindReset             // drop the connection without a response
	KindCut               // send the headers and half the body, then drop
)

// Rule is one pending injection: it applies to the next n requests whose
// path has Prefix (n < 0: forever). The fields a fake reads are exported.
type Rule[H any] struct {
	Kind   Kind
	Prefix string
	n      int

	Status int           // KindFault
	Header http.Header   // KindFault
	Body   string        // KindFault
	Host   H             // KindHost
	Delay  time.Duration // KindStall
}

// Fault makes the next n requests whose path has the prefix answer with
// status, extra headers and body; n < 0 means forever.
func (s *Server[H]) Fault(prefix string, n int, status int, header http.Header, body string) {
	s.add(&Rule[H]{Kind: KindFault, Prefix: prefix, n: n, Status: status, Header: header.Clone(), Body: body})
}

// Answer makes the next n requests answer as the fake's own rule h says.
func (s *Server[H]) Answer(n int, h H) {
	s.add(&Rule[H]{Kind: KindHost, n: n, Host: h})
}

// Stall makes the next n requests wait d before answering (or until the
// client gives up).
func (s *Server[H]) Stall(n int, d time.Duration) {
	s.add(&Rule[H]{Kind: KindStall, n: n, Delay: d})
}

// ResetConnection makes the next n requests drop the connection without a
// response. A drop that Go's Transport retries by itself (a GET on a reused
// keep-alive connection) does not count, so n requests always reach the
// client as errors.
func (s *Server[H]) ResetConnection(n int) {
	s.add(&Rule[H]{Kind: KindReset, n: n})
}

// CutBody makes the next n requests send headers and half a body, then drop.
func (s *Server[H]) CutBody(n int) {
	s.add(&Rule[H]{Kind: KindCut, n: n})
}

func (s *Server[H]) add(rl *Rule[H]) {
	if rl.n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, rl)
}

// take returns the first pending rule that applies to path, or nil, and
// counts the request against it.
func (s *Server[H]) take(path string, retried bool) *Rule[H] {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rl := range s.rules {
		if !strings.HasPrefix(path, rl.Prefix) {
			continue
		}
		if rl.Kind == KindReset && retried {
			return rl // the client will resend it: apply, but do not count
		}
		if rl.n > 0 {
			rl.n--
			if rl.n == 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			}
		}
		return rl
	}
	return nil
}
