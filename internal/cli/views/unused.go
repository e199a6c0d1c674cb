package views

import (
	"fmt"
	"io"
	"time"

	"github.com/ssoctl/ssoctl/internal/render"
)

// Unused renders `ssoctl access unused`: audit rows with their last use,
// as they come, then the document's members.
type Unused interface {
	Row(UnusedRow) error
	Abort(cause error) error
	End(UnusedReport) error
	Changed() int
}

// UnusedRow is one audit row (user × account × permission set × path)
// with when the user last fetched credentials for that role.
type UnusedRow struct {
	UserName         string     `json:"userName"`
	UserId           string     `json:"userId"`
	AccountId        string     `json:"accountId"`
	AccountName      string     `json:"accountName"`
	PermissionSet    string     `json:"permissionSet"`
	PermissionSetArn string     `json:"permissionSetArn"`
	Path             string     `json:"path"` // "direct" or "group:<name>"
	LastUsed         *time.Time `json:"lastUsed,omitempty"`
	// Unused is true when there is no use in the window.
	Unused bool `json:"unused"`
}

// UnusedColumns are the columns of access unused's rows.
var UnusedColumns = []string{"UserName", "AccountId", "AccountName", "PermissionSet", "Path", "LastUsed", "Unused"}

// UnusedReport is access unused's document, its rows aside.
type UnusedReport struct {
	// Snapshot is the audit whose rows are judged.
	Snapshot SnapshotRef `json:"snapshot"`
	// Source is where uses come from; Days the window asked for; From and
	// To the window of events that could be seen.
	Source string    `json:"source"`
	Days   int       `json:"days"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	// Read is what this run read: the windows, pages and events.
	Read struct {
		Windows []string `json:"windows"`
		Pages   int      `json:"pages"`
		Events  int      `json:"events"`
	} `json:"read"`
	Rows   int       `json:"rows"`
	Unused int       `json:"unused"`
	Stats  CallStats `json:"stats"`
}

// NewUnused returns the view for format csv, table or json.
func NewUnused(format string, w io.Writer, ro render.RowsOptions) (Unused, error) {
	s, err := newStream(format, w, ro, "rows", UnusedColumns, func(r UnusedRow) []string {
		last, unused := "", "no"
		if r.LastUsed != nil {
			last = r.LastUsed.UTC().Format(time.RFC3339)
		}
		if r.Unused {
			unused = "yes"
		}
		return []string{r.UserName, r.AccountId, r.AccountName, r.PermissionSet, r.Path, last, unused}
	})
	if err != nil {
		return nil, err
	}
	return &unusedView{s: s}, nil
}

type unusedView struct{ s *stream[UnusedRow] }

func (v *unusedView) Row(r UnusedRow) error { return v.s.item(r) }
func (v *unusedView) Abort(err error) error { return v.s.abort(err) }
func (v *unusedView) Changed() int          { return v.s.changed() }
func (v *unusedView) End(r UnusedReport) error {
	if r.Read.Windows == nil {
		r.Read.Windows = []string{}
	}
	return v.s.end(
		render.Member{Key: "snapshot", Value: r.Snapshot},
		render.Member{Key: "source", Value: r.Source},
		render.Member{Key: "days", Value: r.Days},
		render.Member{Key: "from", Value: r.From},
		render.Member{Key: "to", Value: r.To},
		render.Member{Key: "read", Value: r.Read},
		render.Member{Key: "summary", Value: map[string]int{"rows": r.Rows, "unused": r.Unused}},
		render.Member{Key: "stats", Value: r.Stats},
	)
}

// UnusedSummary writes access unused's summary to w (stderr): how many
// rows are unused, from what source and window.
func UnusedSummary(w io.Writer, r UnusedReport) {
	fmt.Fprintf(w, "access unused: %d of %d rows of snapshot #%d unused in the last %d days; source: %s, seen from %s to %s\n",
		r.Unused, r.Rows, r.Snapshot.ID, r.Days, r.Source, r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "access unused: read %d page(s), %d event(s) this run (%d API calls, %.1fs)\n", r.Read.Pages, r.Read.Events, r.Stats.APICalls, r.Stats.Seconds)
}
