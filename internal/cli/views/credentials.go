package views

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// One role's credentials: `ssoctl export`, `credential-process` and
// `serve-credentials`; many roles': `ssoctl credentials export`.

// ExportFormats are the formats of `ssoctl export --format`.
var ExportFormats = []string{"env", "env-no-export", "powershell", "windows-cmd", "process", "json"}

// RoleCredentials are one role's credentials as `ssoctl export` prints
// them: the role, its region, and the variables `ssoctl exec` sets
// (NAME=VALUE, in order).
type RoleCredentials struct {
	AccountID, RoleName, Region string
	Credentials                 *sso.RoleCredentials
	Vars                        []string
}

// exportDoc is `ssoctl export --format json`.
type exportDoc struct {
	AccessKeyId     string
	AccountId       string
	Expiration      string
	Region          string
	RoleName        string
	SecretAccessKey string
	SessionToken    string
}

// ExportCredentials renders `ssoctl export` in format (ExportFormats).
func ExportCredentials(w io.Writer, format string, rc RoleCredentials) error {
	cr := rc.Credentials
	switch format {
	case "process":
		return ProcessCredentials(w, cr)
	case "json":
		return render.JSON(w, exportDoc{
			AccessKeyId: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken,
			Expiration: cr.Expiration.UTC().Format(time.RFC3339), AccountId: rc.AccountID, RoleName: rc.RoleName, Region: rc.Region,
		})
	}
	var b strings.Builder
	for _, kv := range rc.Vars {
		name, value, _ := strings.Cut(kv, "=")
		switch format {
		case "env":
			fmt.Fprintf(&b, "export %s=%s\n", name, sso.ShellQuote(value))
		case "env-no-export":
			fmt.Fprintf(&b, "%s=%s\n", name, sso.ShellQuote(value))
		case "powershell":
			fmt.Fprintf(&b, "$Env:%s=\"%s\"\n", name, strings.NewReplacer("`", "``", `"`, "`\"", "$", "`$").Replace(value))
		case "windows-cmd":
			fmt.Fprintf(&b, "set %s=%s\n", name, value)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// processOutput is credential_process's Version 1 format.
type processOutput struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
}

// ProcessCredentials renders credentials in credential_process's Version
// 1 format, on one line.
func ProcessCredentials(w io.Writer, cr *sso.RoleCredentials) error {
	b, err := json.Marshal(processOutput{
		Version: 1, AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey,
		SessionToken: cr.SessionToken, Expiration: cr.Expiration.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// Serving is a container-credentials endpoint serving one role.
type Serving struct {
	URL, Token          string
	RoleName, AccountID string
	// DefaultKey names what gives the [default] profile credentials of its
	// own, which the SDKs use before the endpoint ("" when nothing does).
	DefaultKey string
}

// ServeCredentials renders `ssoctl serve-credentials` starting: the two
// export lines a program needs on out (flushed at once: a script waits
// for them), what is served and any warning on errOut.
func ServeCredentials(out, errOut io.Writer, s Serving) {
	fmt.Fprintf(out, "export AWS_CONTAINER_CREDENTIALS_FULL_URI=%s\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN=%s\n", s.URL, s.Token)
	if f, ok := out.(*os.File); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(errOut, "Serving the credentials of %s in account %s at %s (Ctrl-C to stop).\n", s.RoleName, s.AccountID, s.URL)
	if s.DefaultKey != "" {
		fmt.Fprintf(errOut, "warning: the [default] profile has %s: the AWS CLI and SDKs use it before this endpoint unless AWS_PROFILE names another profile\n", s.DefaultKey)
	}
}

// ExecServeWarning says, for `exec --serve`, that the [default] profile
// has credentials of its own (key) that the SDKs use before the endpoint.
func ExecServeWarning(w io.Writer, key string) {
	fmt.Fprintf(w, "warning: the [default] profile has %s: the AWS CLI and SDKs use it before the credentials endpoint\n", key)
}

// ServeFailure says the endpoint could not get credentials for a request
// (each different failure once).
func ServeFailure(w io.Writer, msg string) {
	fmt.Fprintf(w, "warning: could not serve credentials: %s\n", msg)
}

// ExportedAccount is one account of the file `ssoctl credentials
// export` writes: a JSON array of them.
type ExportedAccount struct {
	AccountID    string                  `json:"accountId"`
	AccountName  string                  `json:"accountName"`
	EmailAddress string                  `json:"emailAddress"`
	Roles        map[string]ExportedRole `json:"roles"`
}

// ExportedRole is the portal's RoleCredentials.
type ExportedRole struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      int64  `json:"expiration"` // epoch milliseconds
}

// CredentialsFile is the file `ssoctl credentials export` writes, whole
// (a JSON array, a format other tools read: it carries no stats).
func CredentialsFile(accounts []*ExportedAccount) ([]byte, error) {
	var b strings.Builder
	if err := render.JSON(&b, nonNil(accounts)); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// CredentialsExported renders on w (stderr) what `ssoctl credentials
// export` wrote: the roles that failed, then a warning that where (a
// file, or stdout) holds live credentials.
func CredentialsExported(w io.Writer, where string, accounts []*ExportedAccount, failed []string) {
	for _, f := range failed {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
	roles := 0
	var earliest time.Time
	for _, a := range accounts {
		for _, r := range a.Roles {
			roles++
			if exp := time.UnixMilli(r.Expiration); earliest.IsZero() || exp.Before(earliest) {
				earliest = exp
			}
		}
	}
	if roles > 0 {
		fmt.Fprintf(w, "warning: %s holds live credentials for %s in %s (until %s at the earliest): keep it secret, and delete it when done.\n",
			where, plural(roles, "role"), plural(len(accounts), "account"), earliest.UTC().Format(time.RFC3339))
	}
}
