package inventory

import (
	"sort"
	"strings"
)

// Closest is ssoctl's one suggester for a misspelt name (a user, account,
// OU, permission set, access bundle or a file's key): it returns up to n of
// candidates nearest to name: those that differ
// only in case first, then those containing it or contained in it, then the
// smallest edit distances (at most a third of the name's length, and at
// least 2). Ties keep candidates' order.
func Closest(name string, candidates []string, n int) []string {
	lname := strings.ToLower(name)
	type scored struct {
		s     string
		score int
		dist  int
		i     int
	}
	limit := len([]rune(name)) / 3
	if limit < 2 {
		limit = 2
	}
	seen := map[string]bool{}
	var out []scored
	for i, c := range candidates {
		if seen[c] || c == "" {
			continue
		}
		seen[c] = true
		lc := strings.ToLower(c)
		var score int
		switch {
		case lc == lname:
			score = 0
		case len(lname) >= 3 && (strings.Contains(lc, lname) || 2*len(lc) >= len(lname) && strings.Contains(lname, lc)):
			score = 1
		case len(lname) >= 3 && firstWord(lname) == firstWord(lc) && firstWord(lc) != lc:
			score = 2 + distance(lname, lc)/4
		default:
			d := distance(lname, lc)
			if d > limit {
				continue
			}
			score = 1 + d
		}
		out = append(out, scored{c, score, distance(lname, lc), i})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score < out[j].score
		}
		if out[i].dist != out[j].dist {
			return out[i].dist < out[j].dist
		}
		return out[i].i < out[j].i
	})
	var res []string
	for _, s := range out {
		if len(res) == n {
			break
		}
		res = append(res, s.s)
	}
	return res
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// firstWord is s up to the first '.', '-', '_', '@' or space.
func firstWord(s string) string {
	if i := strings.IndexAny(s, ".-_@ /"); i > 0 {
		return s[:i]
	}
	return s
}

// Suggest is "; closest: a, b, c" naming the (up to three) candidates
// nearest to name, or "" when none is near: the tail of a not-found error.
func Suggest(name string, candidates []string) string {
	s := Closest(name, candidates, 3)
	if len(s) == 0 {
		return ""
	}
	return "; closest: " + strings.Join(s, ", ")
}
