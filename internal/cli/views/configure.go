package views

import (
	"fmt"
	"io"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/ssoctl/ssoctl/internal/profiles"
	"github.com/ssoctl/ssoctl/internal/render"
)

// PopulateDoc is the document of `ssoctl configure populate` and
// `configure profile`: what was (or with DryRun would be) changed in the
// config file.
type PopulateDoc struct {
	Path     string             `json:"path"`
	DryRun   bool               `json:"dryRun"`
	Summary  profiles.Summary   `json:"summary"`
	Changes  []profiles.Change  `json:"changes"`
	Problems []profiles.Problem `json:"problems"`
	// Unlisted are the accounts whose roles could not be listed: their
	// profiles were neither written nor pruned.
	Unlisted []Unlisted `json:"unlisted"`
}

// Populate renders `ssoctl configure populate` and `configure profile`:
// -o json the document; else the diff of the file (dry run: before and
// after) or a table of the changed profiles on out; the problems, the
// accounts not listed and the summary on errOut.
func Populate(format string, out, errOut io.Writer, doc PopulateDoc, before, after []byte) error {
	doc.Changes, doc.Problems, doc.Unlisted = nonNil(doc.Changes), nonNil(doc.Problems), nonNil(doc.Unlisted)
	if format == "json" {
		return render.JSON(out, doc)
	}
	if doc.DryRun {
		diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(string(before)), B: difflib.SplitLines(string(after)),
			FromFile: doc.Path, ToFile: doc.Path + " (after populate)", Context: 3,
		})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(out, diff); err != nil {
			return err
		}
	} else {
		rows, err := render.NewRows(out, "table", render.RowsOptions{})
		if err != nil {
			return err
		}
		n := 0
		for _, c := range doc.Changes {
			if c.Action == profiles.Unchanged {
				continue
			}
			if n == 0 {
				if err := rows.Header([]string{"Change", "Profile", "AccountId", "AccountName", "Role", "Region"}); err != nil {
					return err
				}
			}
			n++
			if err := rows.Row([]string{string(c.Action), c.Name, c.AccountID, c.AccountName, c.RoleName, c.Region}); err != nil {
				return err
			}
		}
		if err := rows.Flush(); err != nil {
			return err
		}
	}
	for _, p := range doc.Problems {
		fmt.Fprintln(errOut, "warning: "+render.Escape(p.Message()))
	}
	UnlistedLines(errOut, doc.Unlisted, "; its profiles are left as they are")
	s := doc.Summary
	verb := "Wrote"
	if doc.DryRun {
		verb = "Would write"
	}
	if s.Added+s.Changed+s.Removed == 0 {
		verb = "No change to"
	}
	fmt.Fprintf(errOut, "%s %s: %d added, %d changed, %d removed, %d unchanged, %d not written.\n",
		verb, doc.Path, s.Added, s.Changed, s.Removed, s.Unchanged, s.Problems)
	return nil
}

// LegacySignIn says populate writes legacy keys: no sso-session names
// the sign-in.
func LegacySignIn(w io.Writer) {
	fmt.Fprintln(w, "note: no sso-session names this sign-in, so the profiles carry sso_start_url and sso_region (legacy: the SDKs cannot refresh their token); name one with --sso-session NAME --start-url URL --sso-region REGION to have it added")
}
