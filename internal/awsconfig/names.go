package awsconfig

import (
	"errors"
	"strings"
	"unicode"
)

// How botocore names sections (botocore/configloader.py): Python's
// configparser takes a header's text from the first [ to the last ] of the
// line, untrimmed; then a text starting with "profile", "sso-session" or
// "services" is split as a POSIX shell would split it (shlex.split), and it
// names a section of that kind only when it splits into exactly two words,
// the second being the name; "default" is the default profile; anything
// else is a section the SDKs ignore. So [profile "my dev"] is the profile
// "my dev", and [profile my dev] is no profile at all.

// headerText is the text of a header line (already trimmed): from after
// its [ to before its last ], and whether the line is a header at all.
func headerText(line string) (string, bool) {
	if line == "" || line[0] != '[' {
		return "", false
	}
	end := strings.LastIndexByte(line, ']')
	if end < 1 {
		return "", false
	}
	return line[1:end], true
}

// sectionName splits a header's text into kind and name as botocore does;
// kind is "" for a header the SDKs ignore.
func sectionName(h string) (kind, name string) {
	for _, k := range []string{KindProfile, KindSSOSession, KindServices} {
		if !strings.HasPrefix(h, k) {
			continue
		}
		words, ok := shellSplit(h)
		if !ok || len(words) != 2 {
			return "", ""
		}
		return k, words[1]
	}
	if h == "default" {
		return KindProfile, "default"
	}
	return "", ""
}

// shellSplit splits s into words as Python's shlex.split(s) does (POSIX
// mode, no comments): words are separated by spaces, tabs, CR and LF;
// single quotes keep everything; double quotes keep everything but \" and
// \\; a backslash outside quotes keeps the next character; quotes inside a
// word join it ('a"b c"' is one word). ok is false where shlex raises (an
// unclosed quote, a backslash at the end).
func shellSplit(s string) (words []string, ok bool) {
	var (
		tok     strings.Builder
		quoted  bool // the current word had quotes (so "" is a word)
		state   = ' '
		escaped = 'a' // the state a backslash returns to
	)
	emit := func() {
		if tok.Len() > 0 || quoted {
			words = append(words, tok.String())
		}
		tok.Reset()
		quoted = false
	}
	space := func(c rune) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for _, c := range s {
		switch state {
		case ' ', 'a':
			switch {
			case space(c):
				if state == 'a' {
					emit()
				}
				state = ' '
			case c == '\\':
				escaped, state = 'a', '\\'
			case c == '\'' || c == '"':
				state = c
			default:
				tok.WriteRune(c)
				state = 'a'
			}
		case '\'', '"':
			quoted = true
			switch {
			case c == state:
				state = 'a'
			case c == '\\' && state == '"':
				escaped, state = '"', '\\'
			default:
				tok.WriteRune(c)
			}
		case '\\':
			// Within double quotes only \" and \\ are escapes.
			if escaped == '"' && c != '\\' && c != '"' {
				tok.WriteByte('\\')
			}
			tok.WriteRune(c)
			state = escaped
		}
	}
	switch state {
	case '\'', '"', '\\':
		return nil, false
	case 'a':
		emit()
	}
	return words, true
}

// CheckName reports why botocore (the AWS CLI, boto3) would not read the
// header ssoctl writes for a section of that kind and name ([profile
// NAME], [sso-session NAME]) back as that name, or nil when it would. The
// error says why ("it holds a space, …"); the caller names the section.
// ssoctl writes no quotes: a name must be one word.
func CheckName(kind, name string) error {
	var why string
	switch {
	case name == "":
		why = "it is empty"
	case strings.IndexFunc(name, unicode.IsSpace) >= 0:
		why = "it holds a space, which ends the name (botocore ignores the whole section)"
	case strings.ContainsAny(name, `"'\`):
		why = "it holds a quote or a backslash, which botocore reads as quoting"
	case strings.ContainsAny(name, "[]"):
		why = "it holds [ or ]"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		why = "it holds a control character"
	}
	if why == "" {
		header, _ := headerText(HeaderText(kind, name))
		if k, n := sectionName(header); k != kind || n != name {
			why = "botocore would not read it back as written"
		}
	}
	if why != "" {
		return errors.New(why)
	}
	return nil
}
