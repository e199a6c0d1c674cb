package list

import (
	"github.com/ssoctl/ssoctl/internal/awsclient"
)

// Cause is one reason a listing is incomplete: items that failed the same
// way (an unreachable endpoint, an AWS error code), how many, and the
// first few of them; or a limit of the method (no items).
type Cause struct {
	Cause string `json:"cause"`
	// Items is how many items failed this way (0 for a method's limit).
	Items int `json:"items"`
	// Examples are the first items that failed this way (up to
	// MaxExamples), in the order of the errors.
	Examples []string `json:"examples,omitempty"`
}

// MaxExamples bounds Cause.Examples.
const MaxExamples = 3

// Causes groups item errors by cause (awsclient.Cause), in the order each
// cause first appears: forty items that could not reach a dead endpoint
// are one cause, not forty.
func Causes(errs []ItemError) []Cause {
	var out []Cause
	at := map[string]int{}
	for _, e := range errs {
		key, text := e.Error, e.Error
		if e.Err != nil {
			key, text = awsclient.Cause(e.Err)
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, Cause{Cause: text})
		}
		c := &out[i]
		c.Items++
		if len(c.Examples) < MaxExamples {
			c.Examples = append(c.Examples, e.Item)
		}
	}
	return out
}
