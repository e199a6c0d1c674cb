package views

import (
	"fmt"
	"io"
	"time"

	"github.com/ssoctl/ssoctl/internal/render"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// A person's sign-in: `ssoctl login`, `logout`, `roles` and `check`.

// Unlisted is an account whose roles could not be listed: the other
// accounts go on, and the command exits 3.
type Unlisted struct {
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName"`
	Error       string `json:"error"`
}

// UnlistedLines writes one line per account whose roles could not be
// listed on w (stderr), escaped; then says what it means for the
// command ("" for nothing more).
func UnlistedLines(w io.Writer, accounts []Unlisted, then string) {
	for _, a := range accounts {
		fmt.Fprintf(w, "failed: account %s (%s): its roles could not be listed: %s%s\n", render.Escape(a.AccountName), a.AccountID, render.Escape(a.Error), then)
	}
}

// RoleColumns are the CSV and table columns of `ssoctl roles`.
var RoleColumns = []string{"AccountId", "AccountName", "RoleName"}

// Roles renders `ssoctl roles`: a table or CSV, or one JSON array of the
// roles (an array scripts read as it is, so it carries no stats); the
// accounts whose roles could not be listed go to errOut.
func Roles(format string, out, errOut io.Writer, ro render.RowsOptions, roles []sso.Role, unlisted []Unlisted) error {
	if format == "json" {
		if err := render.JSON(out, nonNil(roles)); err != nil {
			return err
		}
	} else {
		values := make([][]string, 0, len(roles))
		for _, r := range roles {
			values = append(values, []string{r.AccountID, r.AccountName, r.RoleName})
		}
		changed, err := WriteRows(out, format, ro, RoleColumns, values)
		CSVNote(errOut, changed)
		if err != nil {
			return err
		}
	}
	UnlistedLines(errOut, unlisted, "")
	return nil
}

// DeviceCodeFallback says why the device-code flow is used without
// --use-device-code.
func DeviceCodeFallback(w io.Writer) {
	fmt.Fprintln(w, "No display here: using the device-code flow (--use-device-code). Set SSOCTL_BROWSER to use a browser on this machine.")
}

// SignedIn is what `ssoctl login` tells (on stderr): where, how, and the
// token's life.
type SignedIn struct {
	StartURL, Session string
	// How is "with <flow>", or that another process signed in meanwhile.
	How         string
	ExpiresAt   time.Time
	Refreshable bool
}

// Login renders `ssoctl login`'s one line on w (stderr).
func Login(w io.Writer, s SignedIn) {
	refresh := "not refreshable: sign in again when it expires"
	if s.Refreshable {
		refresh = "refreshed automatically"
	}
	where := s.StartURL
	if s.Session != "" {
		where += " (sso-session " + s.Session + ")"
	}
	fmt.Fprintf(w, "Signed in to %s %s; token valid until %s, %s.\n", where, s.How, s.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"), refresh)
}

// Logout renders `ssoctl logout` on w (stderr): the sessions whose
// portal Logout failed, then the counts.
func Logout(w io.Writer, res sso.LogoutResult) {
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: the portal's Logout failed for %s (the file was removed all the same)\n", n)
	}
	fmt.Fprintf(w, "Signed out: %d token(s) removed (%d session(s) ended at Identity Center), %d cached role credential(s) removed.\n",
		len(res.Tokens), res.SignedOut, res.Credentials)
}

// Finding is one step of `ssoctl check`.
type Finding struct {
	Check string `json:"check"`
	OK    bool   `json:"ok"`
	// Skipped: the step was not run (it is not OK either).
	Skipped bool   `json:"skipped,omitempty"`
	Detail  string `json:"detail"`
	Fix     string `json:"fix,omitempty"`
}

// CheckDoc is the document of `ssoctl check` (its members in the order
// it has always had them).
type CheckDoc struct {
	Checks []Finding `json:"checks"`
	OK     bool      `json:"ok"`
}

// Check renders `ssoctl check`: one line per step ("ok", "FAIL" or
// "skip", then what to do), or the document.
func Check(format string, out io.Writer, doc CheckDoc) error {
	if format == "json" {
		return render.JSON(out, doc)
	}
	for _, f := range doc.Checks {
		mark := "ok  "
		switch {
		case f.Skipped:
			mark = "skip"
		case !f.OK:
			mark = "FAIL"
		}
		fmt.Fprintf(out, "%s %-7s %s\n", mark, f.Check, f.Detail)
		if f.Fix != "" {
			fmt.Fprintf(out, "             → %s\n", f.Fix)
		}
	}
	return nil
}
