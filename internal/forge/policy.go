package forge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Answer is one response, reduced to what a provider reads of it.
type Answer struct {
	Status int
	Header http.Header
	Body   string
}

// RateLimit is a provider's reading of an answer that is a rate limit.
type RateLimit struct {
	// Wait is how long the host asks to wait; negative when it named no
	// time.
	Wait time.Duration
	// What names the limit for messages: "GitHub's primary rate limit".
	What string
}

// Policy is the one retry and rate-limit policy of every provider's API
// requests, for checks and changes alike: a 5xx, a timeout or a broken
// connection is retried up to Options.Retries times with exponential
// backoff from Options.Backoff (a POST or PATCH only when RetryWrites
// says so, since it may have been carried out); a rate limit, which
// refuses a request before it is carried out, is waited out for any
// method when the wait fits in Options.MaxWait (with every check that
// shares Options.Gate); each attempt is bounded by
// Options.Timeout. Every failure is an *UnverifiedError: never a pass.
type Policy struct {
	Options Options
	// Title is the host in messages: "GitHub".
	Title string
	// RetryWrites retries POST and PATCH too: right for probes whose
	// bodies are invalid on purpose, wrong for a change.
	RetryWrites bool
	// Limited tells whether an answer is a rate limit, by the host's own
	// headers, at now.
	Limited func(a Answer, now time.Time) (RateLimit, bool)
	// Final tells whether a failed request must not be retried because it
	// would only fail again, beyond what every host shares (a redirect
	// HTTPClient refused, an answer too large: see transportFinal): a
	// client library's decoding error, say. Nil for none.
	Final func(error) bool
	// Redact removes the token from a message.
	Redact func(string) string
}

// Do sends one request with send, as the policy says.
func (p Policy) Do(ctx context.Context, method string, send func(context.Context) (Answer, error)) (Answer, error) {
	o := p.Options
	backoff := o.Backoff
	waited := time.Duration(0) // waiting out rate limits, bounded by MaxWait
	slept := time.Duration(0)  // every wait, for Options.Waiting
	var cause error            // the last attempt's own error: network, redirect, size
	for attempt := 0; ; attempt++ {
		if err := o.Gate.wait(ctx); err != nil {
			return Answer{}, &UnverifiedError{Reason: err.Error(), Err: err}
		}
		a, err := p.once(ctx, send)
		var why string
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return Answer{}, &UnverifiedError{Reason: ctx.Err().Error(), Err: ctx.Err()}
			}
			if transportFinal(err) || (p.Final != nil && p.Final(err)) {
				return Answer{}, &UnverifiedError{Reason: p.Redact(err.Error()), Err: err}
			}
			why, cause = "request failed: "+p.Redact(err.Error()), err
		case a.Status >= 500:
			why = fmt.Sprintf("%s answered %d %s", p.Title, a.Status, http.StatusText(a.Status))
		default:
			rl, limited := p.Limited(a, o.Now)
			if !limited {
				return a, nil
			}
			if rl.Wait < 0 {
				return Answer{}, &UnverifiedError{Reason: rl.What + " is exhausted and it named no reset time"}
			}
			if waited+rl.Wait > o.MaxWait {
				return Answer{}, &UnverifiedError{Reason: fmt.Sprintf("%s asks to wait %s, more than --max-wait %s", rl.What, rl.Wait.Round(time.Second), o.MaxWait)}
			}
			o.notify(rl.What, slept, rl.Wait)
			if err := o.Gate.pause(ctx, rl.Wait, o.Sleep); err != nil {
				return Answer{}, &UnverifiedError{Reason: err.Error(), Err: err}
			}
			waited += rl.Wait
			slept += rl.Wait
			continue
		}
		if !p.RetryWrites && (method == http.MethodPost || method == http.MethodPatch) {
			return Answer{}, &UnverifiedError{Reason: why + " (not retried: the change may have been made)", Err: cause}
		}
		if attempt >= o.Retries {
			return Answer{}, &UnverifiedError{Reason: fmt.Sprintf("%s (after %d attempts)", why, attempt+1), Err: cause}
		}
		o.notify("a retry ("+why+")", slept, backoff)
		if err := o.Sleep(ctx, backoff); err != nil {
			return Answer{}, &UnverifiedError{Reason: err.Error(), Err: err}
		}
		slept += backoff
		backoff *= 2
	}
}

// once is one attempt, bounded by Options.Timeout.
func (p Policy) once(ctx context.Context, send func(context.Context) (Answer, error)) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, p.Options.Timeout)
	defer cancel()
	a, err := send(ctx)
	if err == nil && a.Status == 0 {
		err = errors.New("no response")
	}
	return a, err
}

// notify tells Options.Waiting, if set, about a wait of d after waited.
func (o Options) notify(what string, waited, d time.Duration) {
	if o.Waiting != nil {
		o.Waiting(Wait{For: what, Until: o.Now.Add(waited + d), Delay: d})
	}
}

// transportFinal: a redirect HTTPClient refused, or an answer over its
// size limit, would only come again.
func transportFinal(err error) bool {
	var redirect *RedirectError
	return errors.As(err, &redirect) || errors.Is(err, ErrResponseTooLarge)
}

// DoJSON sends one request to url under the policy, with body as JSON
// (nil for none) and Accept: application/json; authorize sets the
// request's credentials, once per attempt. Every answer comes back
// whatever its status; an error means none did (*UnverifiedError).
// It is the whole client of the hosts rtconf speaks plain net/http to.
func (p Policy) DoJSON(ctx context.Context, hc *http.Client, method, url string, body any, authorize func(*http.Request)) (Answer, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return Answer{}, fmt.Errorf("encode %s %s: %w", method, url, err)
		}
	}
	return p.Do(ctx, method, func(ctx context.Context) (Answer, error) {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(payload))
		if err != nil {
			return Answer{}, err
		}
		authorize(req)
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return Answer{}, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return Answer{}, err
		}
		return Answer{Status: resp.StatusCode, Header: resp.Header, Body: string(data)}, nil
	})
}
