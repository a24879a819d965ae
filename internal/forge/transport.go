package forge

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxResponse is the most rtconf reads of one API response body. GitHub's
// answers to the requests rtconf sends are a few kilobytes; anything beyond
// this ends the request with ErrResponseTooLarge.
const MaxResponse = 4 << 20

// ErrResponseTooLarge is an API response body over MaxResponse.
var ErrResponseTooLarge = fmt.Errorf("the API's answer is larger than %d MiB", MaxResponse>>20)

// RedirectError is a redirect that an authenticated request does not
// follow: to another scheme, host or port than the request's own. Nothing
// was sent to the redirect's target.
type RedirectError struct {
	From, To string // scheme://host[:port] only
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the API at %s redirected to %s, another scheme, host or port: not followed, so the token was not sent there", e.From, e.To)
}

// HTTPClient is the client every authenticated GitHub API request goes
// through (a provider's checks and changes). It follows a redirect only
// to the same scheme, host and port as the request it answers (go-github
// sets the Authorization header on every request its transport sends,
// redirected ones included, and Go's own stripping ignores ports and
// https→http), and it bounds every response body to MaxResponse. base
// supplies the transport and timeout (nil: http.DefaultTransport); it is
// not changed.
func HTTPClient(base *http.Client) *http.Client {
	c := &http.Client{}
	if base != nil {
		c.Transport, c.Timeout, c.Jar = base.Transport, base.Timeout, base.Jar
	}
	inner := c.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	c.Transport = limitTransport{inner: inner}
	c.CheckRedirect = sameOrigin
	return c
}

// sameOrigin refuses a redirect that leaves the origin of the first
// request of the chain.
func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first := via[0].URL
	if origin(req.URL) != origin(first) {
		return &RedirectError{From: origin(first), To: origin(req.URL)}
	}
	if len(via) >= 10 {
		return errors.New("the API redirected 10 times: not followed further")
	}
	return nil
}

// origin is scheme://host:port, lower case, with the scheme's default port
// written out, so that equal origins compare equal.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + ":" + port
}

// limitTransport bounds the body of every response.
type limitTransport struct{ inner http.RoundTripper }

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxResponse}
	return resp, nil
}

// limitedBody reads at most left bytes and fails with ErrResponseTooLarge
// when there is more.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
