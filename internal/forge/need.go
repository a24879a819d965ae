package forge

import "slices"

// Union is the need that asks what every one of needs asks: the first's
// kind, and each other kind once, as Also. One check of a token for the
// union answers for each of them (Narrow): a token shared by runtimes
// with different needs is sent once.
func Union(needs ...Need) Need {
	if len(needs) == 0 {
		return Need{}
	}
	u := Need{Kind: needs[0].Kind}
	add := func(k Kind) {
		if k != u.Kind && !slices.Contains(u.Also, k) {
			u.Also = append(u.Also, k)
		}
	}
	for _, n := range needs {
		add(n.Kind)
		for _, k := range n.Also {
			add(k)
		}
	}
	return u
}

// Narrow turns the result of f's check for wide into the result for need,
// one of the needs wide is the Union of: the requirements that only wide
// asks for are dropped; the others (and what a check says of the token
// itself: invalid, expiry, scopes, notes, a requirement of no need such
// as access to the repository) are kept, in their order. ok is false when
// need names a requirement that wide does not (a provider that names a
// permission by the level asked for): only a check for need answers it.
func Narrow(f Forge, res Result, wide, need Need) (Result, bool) {
	names := f.RequirementNames(res.TokenKind, need)
	wideNames := f.RequirementNames(res.TokenKind, wide)
	for _, n := range names {
		if !slices.Contains(wideNames, n) {
			return Result{}, false
		}
	}
	out := res
	out.Requirements = nil
	for _, r := range res.Requirements {
		if slices.Contains(wideNames, r.Name) && !slices.Contains(names, r.Name) {
			continue
		}
		out.Requirements = append(out.Requirements, r)
	}
	return out, true
}
