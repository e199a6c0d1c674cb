package awsclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// EndpointURLError says an endpoint URL is not one a client can use: it
// needs an http or https scheme and a host.
type EndpointURLError struct {
	// Source is where the URL came from: "--endpoint-url" or the
	// variable's name.
	Source string
	URL    string
	Reason string
}

func (e *EndpointURLError) Error() string {
	msg := fmt.Sprintf("%s %q is not a usable endpoint URL: %s", e.Source, e.URL, e.Reason)
	if e.Reason == reasonNoScheme {
		msg += fmt.Sprintf(" (try http://%s)", e.URL)
	}
	return msg
}

const reasonNoScheme = "it needs http:// or https:// in front"

// ValidateEndpointURL checks that u is an http or https URL with a host.
// source names where it came from, for the message.
func ValidateEndpointURL(source, u string) error {
	bad := func(reason string) error { return &EndpointURLError{Source: source, URL: u, Reason: reason} }
	if strings.TrimSpace(u) != u || u == "" {
		return bad("it is empty or has spaces around it")
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || (p.Opaque != "" && p.Host == "") {
		// "127.0.0.1:4566" does not parse, "localhost:4566" parses as
		// scheme "localhost": both are a host and port without a scheme.
		return bad(reasonNoScheme)
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
	default:
		return bad(fmt.Sprintf("the scheme must be http or https, not %q", p.Scheme))
	}
	if p.Host == "" || p.Hostname() == "" {
		return bad("it has no host")
	}
	return nil
}

// ValidateEnvEndpoints checks AWS_ENDPOINT_URL and every
// AWS_ENDPOINT_URL_<SERVICE> variable in environ (NAME=VALUE entries), in
// name order; the first bad one is the error.
func ValidateEnvEndpoints(environ []string) error {
	var names []string
	vals := map[string]string{}
	for _, kv := range environ {
		name, val, _ := strings.Cut(kv, "=")
		if name == "AWS_ENDPOINT_URL" || strings.HasPrefix(name, "AWS_ENDPOINT_URL_") {
			if val == "" {
				continue // unset for the SDK too
			}
			names = append(names, name)
			vals[name] = val
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if err := ValidateEndpointURL(n, vals[n]); err != nil {
			return err
		}
	}
	return nil
}

// UnreachableError says an endpoint could not be reached for a reason that
// retrying cannot cure (nothing listening, a host that does not exist, TLS
// spoken to a plain-HTTP server, an untrusted certificate, a URL without a
// scheme). Its message is one line: which endpoint, what happened, what to
// check.
type UnreachableError struct {
	// Endpoint is scheme://host[:port] of the request.
	Endpoint string
	// Operation is "Service Operation" when known.
	Operation string
	Reason    string
	Hint      string
	Err       error
}

func (e *UnreachableError) Error() string {
	op := ""
	if e.Operation != "" {
		op = " (" + e.Operation + ")"
	}
	return fmt.Sprintf("cannot reach %s%s: %s; %s", e.Endpoint, op, e.Reason, e.Hint)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

const endpointVars = "--endpoint-url and the AWS_ENDPOINT_URL* variables"

const timeoutHint = "check the network and any proxy (HTTPS_PROXY), the region, and " + endpointVars

// Unreachable reports whether err (an SDK call's error, however wrapped)
// is a failure to reach the endpoint that retrying cannot cure, or a call
// whose attempts timed out, and describes it.
func Unreachable(err error) (*UnreachableError, bool) {
	if err == nil {
		return nil, false
	}
	var done *UnreachableError
	if errors.As(err, &done) {
		return done, true
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		// The call ran out of attempts (MaxAttempts) before it ran out of
		// timed-out ones.
		u := &UnreachableError{Endpoint: te.Endpoint, Reason: te.What, Hint: timeoutHint, Err: err}
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			u.Operation = oe.ServiceID + " " + oe.OperationName
		}
		return u, true
	}
	reason, hint := classify(err)
	if reason == "" {
		return nil, false
	}
	u := &UnreachableError{Reason: reason, Hint: hint, Err: err, Endpoint: "the endpoint"}
	var ue *url.Error
	if errors.As(err, &ue) {
		if p, perr := url.Parse(ue.URL); perr == nil && p.Host != "" {
			u.Endpoint = p.Scheme + "://" + p.Host
		} else {
			u.Endpoint = strings.TrimSuffix(ue.URL, "/")
		}
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		u.Operation = oe.ServiceID + " " + oe.OperationName
	}
	return u, true
}

// classify returns why err cannot be cured by retrying and what to check
// ("" when it might be).
func classify(err error) (reason, hint string) {
	var dns *net.DNSError
	var rh tls.RecordHeaderError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	msg := err.Error()
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing is listening there)", "check " + endpointVars + ", and that the service is running"
	case errors.As(err, &dns) && dns.IsNotFound:
		return fmt.Sprintf("host %s not found", dns.Name), "check the region, " + endpointVars + ", and this machine's DNS"
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "it speaks plain HTTP, not HTTPS", "use http:// in the endpoint URL (" + endpointVars + ")"
	case errors.As(err, &rh):
		return "it does not speak TLS", "use http:// in the endpoint URL, or the right port (" + endpointVars + ")"
	case errors.As(err, &verify), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid):
		return "its TLS certificate is not trusted", "check " + endpointVars + ", and AWS_CA_BUNDLE if a proxy re-signs traffic"
	case strings.Contains(msg, "unsupported protocol scheme"):
		return "the endpoint URL has no http:// or https:// scheme", "check " + endpointVars + " (and endpoint_url in ~/.aws/config)"
	}
	return "", ""
}

// noCure is the retryer's first check: what Unreachable recognises is
// never retried, so such a call fails at once instead of after ten
// attempts and half a minute of backoff; a timed-out attempt (TimeoutError)
// is retried, until the call's last one, which the attempt middleware
// turns into an UnreachableError. Anything else (throttling, 5xx, a reset
// connection) goes on to the SDK's own checks.
type noCure struct{}

func (noCure) IsErrorRetryable(err error) aws.Ternary {
	var done *UnreachableError
	var te *TimeoutError
	switch {
	case errors.As(err, &done):
		return aws.FalseTernary // a call that timed out Timeouts.TimedOutAttempts times, too
	case errors.As(err, &te):
		return aws.TrueTernary // a transient error until then
	}
	if _, ok := Unreachable(err); ok {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// Cause says why an AWS call failed in words that are the same for every
// call that failed the same way, whatever the call and its item: key is
// for grouping, text for people. An unreachable endpoint is its
// UnreachableError without the operation; an AWS error is its code
// (text: the code and the first message seen); anything else is its
// message.
func Cause(err error) (key, text string) {
	if u, ok := Unreachable(err); ok {
		t := (&UnreachableError{Endpoint: u.Endpoint, Reason: u.Reason, Hint: u.Hint}).Error()
		return t, t
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		text = ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" {
			text += ": " + m
		}
		return "api:" + ae.ErrorCode(), text
	}
	endpoint := "the endpoint"
	var ue *url.Error
	if errors.As(err, &ue) {
		if p, perr := url.Parse(ue.URL); perr == nil && p.Host != "" {
			endpoint = p.Scheme + "://" + p.Host
		}
	}
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		text = endpoint + " reset the connection"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		text = endpoint + " closed the connection before answering"
	default:
		return err.Error(), err.Error()
	}
	return text, text
}
