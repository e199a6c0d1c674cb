// Package console makes AWS console sign-in URLs from role credentials
// through the federation endpoint (getSigninToken, then Action=login), as
// the AWS console's own federation does: partition-aware hosts, a
// destination given as a URL or a service name, and a share token that
// names a console page without carrying any credential. The HTTP client
// and the endpoint are injected.
package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Session durations the federation endpoint accepts.
const (
	MinDuration = 15 * time.Minute
	MaxDuration = 12 * time.Hour
)

// Partition is an AWS partition's sign-in and console hosts.
type Partition struct {
	Name, SigninHost, ConsoleHost string
}

// PartitionOf returns the partition a region belongs to.
func PartitionOf(region string) Partition {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return Partition{"aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"}
	case strings.HasPrefix(region, "cn-"):
		return Partition{"aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn"}
	}
	return Partition{"aws", "signin.aws.amazon.com", "console.aws.amazon.com"}
}

// FederationURL is the federation endpoint of a region's partition.
func FederationURL(region string) string {
	return "https://" + PartitionOf(region).SigninHost + "/federation"
}

// services maps a service name to its console page (path under the
// console host). Names are what people type: the service's CLI name.
var services = map[string]string{
	"console":          "console/home",
	"home":             "console/home",
	"s3":               "s3/home",
	"ec2":              "ec2/home",
	"cloudformation":   "cloudformation/home",
	"iam":              "iam/home",
	"lambda":           "lambda/home",
	"rds":              "rds/home",
	"dynamodb":         "dynamodbv2/home",
	"cloudwatch":       "cloudwatch/home",
	"logs":             "cloudwatch/home#logsV2:log-groups",
	"sqs":              "sqs/v3/home",
	"sns":              "sns/v3/home",
	"ecs":              "ecs/v2/home",
	"ecr":              "ecr/home",
	"eks":              "eks/home",
	"vpc":              "vpc/home",
	"route53":          "route53/v2/home",
	"kms":              "kms/home",
	"secretsmanager":   "secretsmanager/home",
	"ssm":              "systems-manager/home",
	"cloudtrail":       "cloudtrail/home",
	"config":           "config/home",
	"guardduty":        "guardduty/home",
	"securityhub":      "securityhub/home",
	"organizations":    "organizations/v2/home",
	"sso":              "singlesignon/home",
	"billing":          "billing/home",
	"costexplorer":     "cost-management/home",
	"athena":           "athena/home",
	"glue":             "glue/home",
	"kinesis":          "kinesis/home",
	"apigateway":       "apigateway/main",
	"cloudfront":       "cloudfront/v4/home",
	"elasticbeanstalk": "elasticbeanstalk/home",
	"stepfunctions":    "states/home",
	"states":           "states/home",
	"codepipeline":     "codesuite/codepipeline/home",
	"codebuild":        "codesuite/codebuild/home",
	"sagemaker":        "sagemaker/home",
	"bedrock":          "bedrock/home",
}

// Services lists the service names Destination knows, sorted.
func Services() []string {
	out := make([]string, 0, len(services))
	for k := range services {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ErrUnknownService means a destination is neither a URL nor a service
// name Destination knows.
var ErrUnknownService = errors.New("unknown service")

// Destination is the console URL to land on: dest itself when it is an
// https URL, else the page of the service it names, in region (the
// console's home page when dest is empty). The region decides the
// partition's console host.
func Destination(dest, region string) (string, error) {
	if strings.Contains(dest, "://") {
		u, err := url.Parse(dest)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return "", fmt.Errorf("destination %q is not an https URL", dest)
		}
		return dest, nil
	}
	name := strings.ToLower(strings.TrimSpace(dest))
	if name == "" {
		name = "console"
	}
	path, ok := services[name]
	if !ok {
		return "", fmt.Errorf("%w %q: give a console URL or one of %s", ErrUnknownService, dest, strings.Join(Services(), ", "))
	}
	u := "https://" + PartitionOf(region).ConsoleHost + "/" + path
	if region != "" {
		frag := ""
		if i := strings.IndexByte(u, '#'); i >= 0 {
			u, frag = u[:i], u[i:]
		}
		u += "?region=" + url.QueryEscape(region) + frag
	}
	return u, nil
}

// Credentials are role credentials for the console session.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// Client talks to a federation endpoint.
type Client struct {
	// HTTP is the client (http.DefaultClient when nil).
	HTTP *http.Client
	// Endpoint is the federation endpoint URL (FederationURL, or an
	// override such as the sandbox's).
	Endpoint string
}

// SigninToken exchanges role credentials for a sign-in token (valid for 15
// minutes). duration 0 leaves the session's length to the endpoint. The
// credentials go in a POST body, never in a URL.
func (c Client) SigninToken(ctx context.Context, cr Credentials, duration time.Duration) (string, error) {
	session, err := json.Marshal(map[string]string{"sessionId": cr.AccessKeyID, "sessionKey": cr.SecretAccessKey, "sessionToken": cr.SessionToken})
	if err != nil {
		return "", err
	}
	form := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if duration > 0 {
		if duration < MinDuration || duration > MaxDuration {
			return "", fmt.Errorf("session duration %s is outside %s–%s", duration, MinDuration, MaxDuration)
		}
		form.Set("SessionDuration", strconv.Itoa(int(duration/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("federation endpoint %s: %w", c.Endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already
		}
		return "", fmt.Errorf("reach the federation endpoint %s: %w", c.Endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the federation endpoint %s refused the role's credentials (HTTP %d)", c.Endpoint, resp.StatusCode)
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", fmt.Errorf("the federation endpoint %s answered without a sign-in token", c.Endpoint)
	}
	return out.SigninToken, nil
}

// LoginURL is the URL that signs a browser in with a sign-in token and
// lands on destination. It holds the token: treat it as a secret.
func LoginURL(endpoint, issuer, destination, token string) string {
	q := url.Values{"Action": {"login"}, "Issuer": {issuer}, "Destination": {destination}, "SigninToken": {token}}
	return endpoint + "?" + q.Encode()
}

// Share names a console page for anyone with their own sign-in: the
// Identity Center instance, the account and role, the region and the
// destination. It never holds a credential.
type Share struct {
	StartURL    string `json:"startUrl"`
	SSORegion   string `json:"ssoRegion"`
	Account     string `json:"account"`
	Role        string `json:"role"`
	Region      string `json:"region,omitempty"`
	Destination string `json:"destination,omitempty"`
}

const sharePrefix = "ssoctl-console-1."

// Encode gives the share as one copyable word.
func (s Share) Encode() string {
	b, _ := json.Marshal(s)
	return sharePrefix + base64.RawURLEncoding.EncodeToString(b)
}

// DecodeShare reads a share token.
func DecodeShare(tok string) (Share, error) {
	var s Share
	rest, ok := strings.CutPrefix(strings.TrimSpace(tok), sharePrefix)
	if !ok {
		return s, errors.New("not an ssoctl console token (it should start with " + sharePrefix + ")")
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return s, fmt.Errorf("the console token is damaged: %v", err)
	}
	if s.StartURL == "" || s.SSORegion == "" || s.Account == "" || s.Role == "" {
		return s, errors.New("the console token lacks the start URL, SSO region, account or role")
	}
	return s, nil
}
