package conformance

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// patterns compiles the models' patterns once each. The models write them
// for Java's regex engine: \uXXXX escapes become \x{XXXX}, and lookaround
// groups, which RE2 lacks, are dropped (the check becomes slightly looser;
// Loosened says which).
type patterns struct {
	mu       sync.Mutex
	compiled map[string]*regexp.Regexp
	loosened map[string]bool
}

func newPatterns() *patterns {
	return &patterns{compiled: map[string]*regexp.Regexp{}, loosened: map[string]bool{}}
}

var (
	javaUnicode = regexp.MustCompile(`\\u([0-9a-fA-F]{4})`)
	lookaround  = regexp.MustCompile(`\(\?<?[=!](?:[^()\\]|\\.|\([^()]*\))*\)`)
)

// get returns the compiled pattern, or nil when it cannot be compiled.
func (p *patterns) get(pattern string) *regexp.Regexp {
	p.mu.Lock()
	defer p.mu.Unlock()
	if re, ok := p.compiled[pattern]; ok {
		return re
	}
	expr := javaUnicode.ReplaceAllString(pattern, `\x{$1}`)
	if stripped := lookaround.ReplaceAllString(expr, ""); stripped != expr {
		expr = stripped
		p.loosened[pattern] = true
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		re = nil
	}
	p.compiled[pattern] = re
	return re
}

// Loosened lists the patterns checked without their lookaround groups.
func (p *patterns) Loosened() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.loosened {
		out = append(out, k)
	}
	return out
}

// sample returns a short string that matches pattern (nil when it cannot
// make one), for a member no fixture names.
func (p *patterns) sample(pattern string) (string, bool) {
	re := p.get(pattern)
	if re == nil {
		return "", false
	}
	expr := javaUnicode.ReplaceAllString(pattern, `\x{$1}`)
	expr = lookaround.ReplaceAllString(expr, "")
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	gen(&b, tree.Simplify())
	s := b.String()
	return s, re.MatchString(s)
}

// gen writes a short string that tree matches: the first branch of each
// alternation, the least number of each repetition (at least one), and a
// letter or digit from each class where it has one.
func gen(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpCapture:
		gen(b, re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			gen(b, s)
		}
	case syntax.OpAlternate:
		gen(b, re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		// none
	case syntax.OpPlus:
		gen(b, re.Sub[0])
	case syntax.OpRepeat:
		n := re.Min
		for i := 0; i < n; i++ {
			gen(b, re.Sub[0])
		}
	}
}

// pickRune prefers a lower-case letter, then a digit, then the class's
// first printable rune.
func pickRune(ranges []rune) rune {
	for _, want := range []rune{'a', 'b', 'x', '1', '0', 'A'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if r > ' ' && r < 0x7f {
				return r
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}
