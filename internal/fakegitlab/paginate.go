package fakegitlab

import (
	"net/http"
	"strconv"
	"strings"
)

// paginate answers a list with GitLab's offset pagination: page (from 1)
// and per_page (default 20, at most 100), and the headers X-Page,
// X-Per-Page, X-Total, X-Total-Pages, X-Next-Page, X-Prev-Page (empty when
// there is none) and Link (prev, next, first, last).
// https://docs.gitlab.com/api/rest/#offset-based-pagination
func (s *Server) paginate(c *call, path string, items []any) response {
	page, _ := c.body.integer("page")
	per, ok := c.body.integer("per_page")
	page = max(page, 1)
	switch {
	case !ok || per < 1:
		per = 20
	case per > 100:
		per = 100
	}
	total := int64(len(items))
	pages := max((total+per-1)/per, 1)
	from, to := min((page-1)*per, total), min(page*per, total)
	res := jsonResponse(http.StatusOK, items[from:to])
	h := http.Header{}
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	h.Set("X-Page", num(page))
	h.Set("X-Per-Page", num(per))
	h.Set("X-Total", num(total))
	h.Set("X-Total-Pages", num(pages))
	h.Set("X-Next-Page", "")
	h.Set("X-Prev-Page", "")
	link := func(p int64, rel string) string {
		q := c.query
		q.Set("page", num(p))
		q.Set("per_page", num(per))
		return "<" + s.URL() + path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	if page > 1 && page <= pages {
		h.Set("X-Prev-Page", num(page-1))
		links = append(links, link(page-1, "prev"))
	}
	if page < pages {
		h.Set("X-Next-Page", num(page+1))
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(1, "first"), link(pages, "last"))
	h.Set("Link", strings.Join(links, ", "))
	res.header = h
	return res
}
