package factory

import (
	"errors"

	"github.com/aws/smithy-go"

	"github.com/ssoctl/ssoctl/internal/awsclient"
)

// Brief words an error for a list of failures, one line per item: an AWS
// API error as its code and message (without the SDK's chain of operation,
// attempts and request id), an unreachable endpoint as awsclient words it,
// anything else as it is.
func Brief(err error) string {
	if u, ok := awsclient.Unreachable(err); ok {
		return u.Error()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" {
			return ae.ErrorCode() + ": " + msg
		}
		return ae.ErrorCode()
	}
	return err.Error()
}
