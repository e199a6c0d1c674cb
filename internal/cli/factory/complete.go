package factory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/securefile"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// Shell completion, shared by every command (RegisterCompletionsTree) and
// the commands that list roles (SaveRoles), reads only local files: the
// config file (profiles, sso-sessions, and the accounts and roles of
// profiles) and the roles cache that populate, `configure profile` and
// console write after listing roles. It never makes a network call.

// rolesCachePath is roles.json in ssoctl's cache folder.
func rolesCachePath(getenv func(string) string) string {
	dir, err := sso.CacheDir(getenv)
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "roles.json")
}

// SaveRoles remembers the roles last listed, for completion. Failing to
// save is not an error of the command.
func SaveRoles(getenv func(string) string, roles []sso.Role) {
	path := rolesCachePath(getenv)
	if path == "" {
		return
	}
	b, err := json.Marshal(roles)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(path), 0o700) == nil {
		_ = securefile.Write(path, b)
	}
}

// cachedRoles are the roles of the roles cache and of the config's
// profiles.
func cachedRoles(getenv func(string) string) []sso.Role {
	var out []sso.Role
	if b, err := os.ReadFile(rolesCachePath(getenv)); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	if doc := configDoc(getenv); doc != nil {
		for _, s := range doc.Sections() {
			acct, _ := s.Get("sso_account_id")
			role, _ := s.Get("sso_role_name")
			if s.Kind == awsconfig.KindProfile && acct != "" && role != "" {
				out = append(out, sso.Role{AccountID: acct, RoleName: role})
			}
		}
	}
	return out
}

func configDoc(getenv func(string) string) *awsconfig.Doc {
	path, err := awsconfig.Path(getenv)
	if err != nil {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return awsconfig.ParseDoc(b)
}

// CompletionFunc completes a flag's value.
type CompletionFunc = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective)

func complete(values func() []string) CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values() {
			if strings.HasPrefix(v, prefix) && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		slices.Sort(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func sectionNames(f *Factory, kind string) []string {
	doc := configDoc(f.IOStreams.Getenv)
	if doc == nil {
		return nil
	}
	var out []string
	for _, s := range doc.Sections() {
		if s.Kind == kind {
			out = append(out, s.Name)
		}
	}
	return out
}

func completeSessions(f *Factory) CompletionFunc {
	return complete(func() []string { return sectionNames(f, awsconfig.KindSSOSession) })
}

// CompleteProfiles completes profile names from the config file.
func CompleteProfiles(f *Factory) CompletionFunc {
	return complete(func() []string { return sectionNames(f, awsconfig.KindProfile) })
}

// CompleteAccounts completes account names and ids from the roles cache
// and the config's profiles.
func CompleteAccounts(f *Factory) CompletionFunc {
	return complete(func() []string {
		var out []string
		for _, r := range cachedRoles(f.IOStreams.Getenv) {
			out = append(out, r.AccountID)
			if r.AccountName != "" {
				out = append(out, r.AccountName)
			}
		}
		return out
	})
}

// CompleteRoles completes role names from the roles cache and the
// config's profiles.
func CompleteRoles(f *Factory) CompletionFunc {
	return complete(func() []string {
		var out []string
		for _, r := range cachedRoles(f.IOStreams.Getenv) {
			out = append(out, r.RoleName)
		}
		return out
	})
}

// RegisterCompletions adds the completions to the flags cmd has of these
// names: --sso-session, --account and --account-name (names and ids),
// --account-id (ids), --role and --role-name. A flag that already has one
// keeps it.
func RegisterCompletions(f *Factory, cmd *cobra.Command) {
	for name, fn := range map[string]CompletionFunc{
		"sso-session": completeSessions(f), "account": CompleteAccounts(f), "account-name": CompleteAccounts(f),
		"account-id": completeAccountIDs(f), "role": CompleteRoles(f), "role-name": CompleteRoles(f),
	} {
		if cmd.Flags().Lookup(name) != nil {
			if _, ok := cmd.GetFlagCompletionFunc(name); !ok {
				_ = cmd.RegisterFlagCompletionFunc(name, fn)
			}
		}
	}
}

// RegisterCompletionsTree adds the completions to every command under
// root, and completes the global --profile.
func RegisterCompletionsTree(f *Factory, root *cobra.Command) {
	if _, ok := root.GetFlagCompletionFunc("profile"); !ok {
		_ = root.RegisterFlagCompletionFunc("profile", CompleteProfiles(f))
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		RegisterCompletions(f, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func completeAccountIDs(f *Factory) CompletionFunc {
	return complete(func() []string {
		var out []string
		for _, r := range cachedRoles(f.IOStreams.Getenv) {
			out = append(out, r.AccountID)
		}
		return out
	})
}
