package factory

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Explain turns a whole-command failure into what to do about it: an
// unreachable endpoint is named with what to check, missing credentials get
// a hint, inventory's own errors (not found, no or several
// instances) stand as they are, and anything else is prefixed with what.
func Explain(err error, what string) error {
	if u, ok := awsclient.Unreachable(err); ok {
		return u
	}
	msg := err.Error()
	switch {
	case errors.Is(err, inventory.ErrNotFound), errors.Is(err, inventory.ErrNoInstance), errors.Is(err, inventory.ErrManyInstances):
		return err
	case strings.Contains(msg, "failed to retrieve credentials"), strings.Contains(msg, "no EC2 IMDS role found"), strings.Contains(msg, "failed to refresh cached credentials"):
		return errors.New("no AWS credentials found: set AWS_PROFILE or --profile, sign in with `ssoctl login`, or try --sandbox")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// SaveNameCache writes the permission-set name cache; failing to is only
// worth a warning, as the next run describes the sets again.
func SaveNameCache(w io.Writer, c *inventory.NameCache) {
	if err := c.Save(); err != nil {
		fmt.Fprintf(w, "warning: %v\n", err)
	}
}
