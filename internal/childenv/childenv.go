// Package childenv is the child-process side of a command that ssoctl runs
// with one role's credentials (`ssoctl exec`, `ssoctl each`, and Go
// programs through the accounts package): its environment (the inherited
// one, less what would make the command's AWS CLI or SDK look elsewhere
// for credentials, plus the role's variables), the exit status of a
// command that cannot be started (127 not found, 126 not executable, as
// shells give them), and its process group.
package childenv

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// removed are the inherited variables a child never gets, whatever the
// role: a profile variable makes the AWS CLI and boto3 resolve that
// profile instead of the credentials given, and set to an empty string
// they fail with "The config profile () could not be found";
// AWS_SECURITY_TOKEN is the old name of the session token, which boto
// still reads; SSOCTL_ACCOUNT_NAME would name another account when this
// run does not set it.
var removed = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "SSOCTL_ACCOUNT_NAME"}

// Vars are the variables that carry the role the command runs as, with
// its credentials c, to the command, in order: the credentials, their
// expiry, the role's Region (AWS_REGION and AWS_DEFAULT_REGION; without
// one the inherited ones stay), then SSOCTL_ACCOUNT_ID, SSOCTL_ACCOUNT_NAME
// (when known) and SSOCTL_ROLE_NAME.
func Vars(r sso.Role, c aws.Credentials) []string {
	vars := []string{
		"AWS_ACCESS_KEY_ID=" + c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + c.SessionToken,
	}
	if c.CanExpire {
		vars = append(vars, "AWS_CREDENTIAL_EXPIRATION="+c.Expires.UTC().Format(time.RFC3339))
	}
	if r.Region != "" {
		vars = append(vars, "AWS_REGION="+r.Region, "AWS_DEFAULT_REGION="+r.Region)
	}
	vars = append(vars, "SSOCTL_ACCOUNT_ID="+r.AccountID)
	if r.AccountName != "" {
		vars = append(vars, "SSOCTL_ACCOUNT_NAME="+r.AccountName)
	}
	return append(vars, "SSOCTL_ROLE_NAME="+r.RoleName)
}

// Build returns base (NAME=VALUE entries, as os.Environ gives them)
// without the profile variables, AWS_SECURITY_TOKEN and every variable
// the role sets, followed by Vars(r, c).
func Build(base []string, r sso.Role, c aws.Credentials) []string {
	return build(base, removed, Vars(r, c))
}

// Served is a role whose credentials a container-credentials endpoint
// serves (ssoctl exec --serve), and what the command is told about it.
type Served struct {
	// URL and Token are AWS_CONTAINER_CREDENTIALS_FULL_URI and
	// AWS_CONTAINER_AUTHORIZATION_TOKEN.
	URL, Token string
	// Role is the role served (its Region, when set, is AWS_REGION and
	// AWS_DEFAULT_REGION).
	Role sso.Role
}

// servedRemoved are, besides removed, the inherited variables that would
// come before the endpoint in the SDKs' credential chain (static keys,
// web identity) or send them elsewhere (a relative URI, which they prefer
// to the full one; a token file, which they prefer to the token).
var servedRemoved = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

// ServedVars are the variables that point the command at the endpoint, in
// order: the endpoint and its token, the region, then SSOCTL_ACCOUNT_ID,
// SSOCTL_ACCOUNT_NAME and SSOCTL_ROLE_NAME. No credential is among them.
func ServedVars(s Served) []string {
	vars := []string{
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + s.URL,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=" + s.Token,
	}
	if s.Role.Region != "" {
		vars = append(vars, "AWS_REGION="+s.Role.Region, "AWS_DEFAULT_REGION="+s.Role.Region)
	}
	vars = append(vars, "SSOCTL_ACCOUNT_ID="+s.Role.AccountID)
	if s.Role.AccountName != "" {
		vars = append(vars, "SSOCTL_ACCOUNT_NAME="+s.Role.AccountName)
	}
	return append(vars, "SSOCTL_ROLE_NAME="+s.Role.RoleName)
}

// BuildServed returns base without the variables Build removes, the
// static credentials and every other variable that would take the
// command's SDK elsewhere for credentials, followed by ServedVars(s).
func BuildServed(base []string, s Served) []string {
	return build(base, append(append([]string{}, removed...), servedRemoved...), ServedVars(s))
}

// build returns base without the variables named in remove or set in
// vars, followed by vars.
func build(base, remove, vars []string) []string {
	drop := make(map[string]bool, len(remove)+len(vars))
	for _, name := range remove {
		drop[name] = true
	}
	for _, kv := range vars {
		name, _, _ := strings.Cut(kv, "=")
		drop[name] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			out = append(out, kv)
		}
	}
	return append(out, vars...)
}
