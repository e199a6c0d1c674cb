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
)

// Role is the role a command runs as, and what it is told about it.
type Role struct {
	AccountID   string
	AccountName string // SSOCTL_ACCOUNT_NAME when set
	RoleName    string
	// Region, when set, is AWS_REGION and AWS_DEFAULT_REGION; otherwise
	// the inherited ones stay.
	Region      string
	Credentials aws.Credentials
}

// removed are the inherited variables a child never gets, whatever the
// role: a profile variable makes the AWS CLI and boto3 resolve that
// profile instead of the credentials given, and set to an empty string
// they fail with "The config profile () could not be found";
// AWS_SECURITY_TOKEN is the old name of the session token, which boto
// still reads; SSOCTL_ACCOUNT_NAME would name another account when this
// run does not set it.
var removed = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "SSOCTL_ACCOUNT_NAME"}

// Vars are the variables that carry the role to the command, in order:
// the credentials, their expiry, the region, then SSOCTL_ACCOUNT_ID,
// SSOCTL_ACCOUNT_NAME and SSOCTL_ROLE_NAME.
func Vars(r Role) []string {
	c := r.Credentials
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
// the role sets, followed by Vars(r).
func Build(base []string, r Role) []string {
	vars := Vars(r)
	drop := make(map[string]bool, len(removed)+len(vars))
	for _, name := range removed {
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
