package fakehost

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fake is the smallest host: it answers {"ok":true} (nothing on /empty) or
// its own rule's text, and logs each request's method and path.
type fake struct {
	host *Server[string]
	log  Log[string]
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.log.Add(r.Method + " " + r.URL.Path)
	rl, ok := f.host.Begin(w, r, r.URL.Path)
	if !ok {
		return
	}
	status, header, body := http.StatusOK, http.Header(nil), `{"ok":true}`
	if r.URL.Path == "/empty" {
		body = ""
	}
	switch {
	case rl != nil && rl.Kind == KindFault:
		status, header, body = rl.Status, rl.Header.Clone(), rl.Body
	case rl != nil && rl.Kind == KindHost:
		status, body = http.StatusTooManyRequests, rl.Host
	}
	w.Header().Set("X-Common", "1")
	Write(w, rl, status, header, []byte(body))
}

func start(t *testing.T, o Options) *fake {
	f := &fake{}
	f.host = Start[string](t, f, o)
	return f
}

// get requests path and returns the status and body, or the error.
func (f *fake) get(t *testing.T, method, path string, c *http.Client) (int, string, error) {
	t.Helper()
	if c == nil {
		c = f.host.Client()
	}
	req, _ := http.NewRequest(method, f.host.URL()+path, strings.NewReader("{}"))
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (f *fake) mustGet(t *testing.T, path string) (int, string) {
	t.Helper()
	status, body, err := f.get(t, "GET", path, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return status, body
}

func TestRulesInOrder(t *testing.T) {
	f := start(t, Options{})
	f.host.Fault("/a", 1, 502, http.Header{"X-Extra": {"yes"}}, "bad")
	f.host.Answer(2, "slow down")
	f.host.Fault("/b", -1, 503, nil, "")
	f.host.Fault("/c", 0, 500, nil, "") // n == 0: no rule
	for i, want := range []struct {
		path   string
		status int
		body   string
	}{
		{"/a", 502, "bad"},
		{"/a", 429, "slow down"},
		{"/b", 429, "slow down"},
		{"/b", 503, ""},
		{"/b/x", 503, ""},
		{"/a", 200, `{"ok":true}`},
		{"/c", 200, `{"ok":true}`},
	} {
		resp, err := f.host.Client().Get(f.host.URL() + want.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want.status || string(b) != want.body {
			t.Errorf("request %d (%s): %d %q, want %d %q", i, want.path, resp.StatusCode, b, want.status, want.body)
		}
		if extra := resp.Header.Get("X-Extra"); resp.Header.Get("X-Common") != "1" || (extra == "yes") != (i == 0) {
			t.Errorf("request %d: headers %v", i, resp.Header)
		}
	}
}

func TestLatencyAndStall(t *testing.T) {
	f := start(t, Options{Latency: time.Minute})
	c := f.host.Client()
	c.Timeout = 200 * time.Millisecond
	if _, _, err := f.get(t, "GET", "/", c); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("a minute's latency: err %v, want a client timeout", err)
	}
	f = start(t, Options{})
	f.host.Stall(1, time.Minute)
	c = f.host.Client()
	c.Timeout = 200 * time.Millisecond
	if _, _, err := f.get(t, "GET", "/", c); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("stalled request: err %v, want a client timeout", err)
	}
	if status, _ := f.mustGet(t, "/"); status != 200 {
		t.Errorf("after the stall: %d", status)
	}
}

// TestCleanupReleasesStalls checks that the end of a test releases a handler
// that still stalls, so that closing the server does not wait for it.
func TestCleanupReleasesStalls(t *testing.T) {
	var f *fake
	released := make(chan struct{})
	outer := t
	t.Run("stall", func(t *testing.T) {
		f = start(t, Options{})
		f.host.Stall(1, time.Hour)
		go func() {
			defer close(released)
			f.get(outer, "GET", "/", nil)
		}()
		for len(f.log.All(func(s string) string { return s })) == 0 {
			time.Sleep(time.Millisecond)
		}
	})
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("the stalled request outlived its test")
	}
}

func TestResetConnection(t *testing.T) {
	f := start(t, Options{})
	f.mustGet(t, "/") // leaves a keep-alive connection to reuse
	f.host.ResetConnection(2)
	for _, method := range []string{"GET", "POST"} {
		if status, _, err := f.get(t, method, "/x", nil); err == nil {
			t.Errorf("%s: status %d, want a connection error", method, status)
		}
	}
	if status, _ := f.mustGet(t, "/"); status != 200 {
		t.Errorf("after the resets: %d", status)
	}
	// The Transport resent the GET once by itself: that drop did not count.
	if got := len(f.log.All(func(s string) string { return s })); got != 5 {
		t.Errorf("%d requests logged, want 5", got)
	}
}

func TestRetriedByClient(t *testing.T) {
	f := start(t, Options{})
	f.mustGet(t, "/")
	f.host.ResetConnection(1)
	req, _ := http.NewRequest("POST", f.host.URL()+"/x", strings.NewReader("{}"))
	req.Header.Set("Idempotency-Key", "k")
	if resp, err := f.host.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("idempotent POST: status %d, want a connection error", resp.StatusCode)
	}
	if status, _ := f.mustGet(t, "/"); status != 200 {
		t.Errorf("after the reset: %d", status)
	}
}

func TestCutBody(t *testing.T) {
	for _, path := range []string{"/", "/empty"} { // an empty body is padded
		f := start(t, Options{})
		f.host.CutBody(1)
		resp, err := f.host.Client().Get(f.host.URL() + path)
		if err != nil {
			t.Fatalf("headers should arrive: %v", err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("body %q, err %v; want io.ErrUnexpectedEOF", b, err)
		}
		if status, _ := f.mustGet(t, path); status != 200 {
			t.Errorf("%s after the cut: %d", path, status)
		}
	}
}

func TestTLS(t *testing.T) {
	f := start(t, Options{TLS: true})
	if !strings.HasPrefix(f.host.URL(), "https://") || f.host.Certificate() == nil {
		t.Fatalf("URL %s, certificate %v", f.host.URL(), f.host.Certificate())
	}
	if status, _ := f.mustGet(t, "/"); status != 200 {
		t.Errorf("status %d", status)
	}
}

func TestLogConcurrentUse(t *testing.T) {
	f := start(t, Options{})
	const n = 20
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%5 == 0 {
				f.host.Fault("/nowhere", 1, 500, nil, "")
				_ = f.log.All(func(s string) string { return s })
			}
			if status, _, err := f.get(t, "GET", "/", nil); err != nil || status != 200 {
				t.Errorf("%d %v", status, err)
			}
		}()
	}
	wg.Wait()
	log := f.log.All(func(s string) string { return s + "!" })
	if len(log) != n || log[0] != "GET /!" {
		t.Errorf("logged %q", log)
	}
}
