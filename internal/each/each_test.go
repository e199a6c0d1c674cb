package each

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/accounts"
)

var roles = []Target{
	{AccountId: "111111111111", AccountName: "payments-prod", RoleName: "ReadOnlyAccess"},
	{AccountId: "111111111111", AccountName: "payments-prod", RoleName: "ProductionSupport"},
	{AccountId: "222222222222", AccountName: "payments-dev", RoleName: "Developer"},
	{AccountId: "333333333333", AccountName: "insights-dev", RoleName: "Developer"},
	{AccountId: "444444444444", AccountName: "sandbox", RoleName: "AdministratorAccess"},
}

func labels(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Label())
	}
	return out
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Filter
		want []string
	}{
		{"all, sorted", Filter{}, []string{"insights-dev/Developer", "payments-dev/Developer", "payments-prod/ProductionSupport", "payments-prod/ReadOnlyAccess", "sandbox/AdministratorAccess"}},
		{"role exact", Filter{Role: "Developer"}, []string{"insights-dev/Developer", "payments-dev/Developer"}},
		{"role regex is anchored", Filter{Role: "Dev"}, nil},
		{"role regex", Filter{Role: "Read.*|Admin.*"}, []string{"payments-prod/ReadOnlyAccess", "sandbox/AdministratorAccess"}},
		{"account ids", Filter{Accounts: []string{"222222222222", "444444444444"}}, []string{"payments-dev/Developer", "sandbox/AdministratorAccess"}},
		{"account ids and names", Filter{Accounts: []string{"222222222222", "sandbox", "payments"}}, []string{"payments-dev/Developer", "sandbox/AdministratorAccess"}},
		{"account name", Filter{AccountName: "^payments-"}, []string{"payments-dev/Developer", "payments-prod/ProductionSupport", "payments-prod/ReadOnlyAccess"}},
		{"exclude id and regex", Filter{Exclude: []string{"111111111111", "sand"}}, []string{"insights-dev/Developer", "payments-dev/Developer"}},
		{"regions", Filter{Role: "AdministratorAccess", Regions: []string{"us-east-1", "eu-west-1"}}, []string{"sandbox/AdministratorAccess/eu-west-1", "sandbox/AdministratorAccess/us-east-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Select(roles, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, labels(got)); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
	// The error names the filter's part (the CLI words it as its flag:
	// see TestFilterErrorsNameFlags in internal/cli/eachcmd).
	var fe *FilterError
	if _, err := Select(roles, Filter{AccountName: "("}); !errors.As(err, &fe) || fe.Field != FieldAccountName || fe.Expr != "(" {
		t.Errorf("got %v; want an account name FilterError", err)
	}
	if _, err := Select(roles, Filter{Exclude: []string{"111111111111", "a["}}); !errors.As(err, &fe) || fe.Field != FieldExclude || fe.Expr != "a[" {
		t.Errorf("got %v; want an exclude FilterError", err)
	}
}

func TestRunIsolatesFailuresAndFetchesCredentialsOnce(t *testing.T) {
	targets, _ := Select(roles, Filter{Regions: []string{"us-east-1", "eu-west-1"}})
	var fetches sync.Map
	var n atomic.Int32
	creds := func(_ context.Context, account, role string) (aws.Credentials, error) {
		n.Add(1)
		if _, dup := fetches.LoadOrStore(account+role, true); dup {
			t.Errorf("credentials for %s/%s fetched twice", account, role)
		}
		if account == "333333333333" {
			return aws.Credentials{}, errors.New("no access")
		}
		return aws.Credentials{AccessKeyID: "AKID" + account, SecretAccessKey: "s", SessionToken: "t", CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	}
	var lines sync.Map
	var results []Result
	c, err := accounts.NewFromPortal(context.Background(), portal(creds), accounts.Options{Region: "us-east-1", Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	Run(context.Background(), c, targets, Options{
		Command: []string{"sh", "-c", `echo "$SSOCTL_ACCOUNT_NAME $SSOCTL_ROLE_NAME $AWS_REGION $AWS_ACCESS_KEY_ID"; [ "$SSOCTL_ACCOUNT_NAME" != payments-dev ] || exit 3`},
		Env:     []string{"PATH=/usr/bin:/bin"},
		Line:    func(t Target, stream string, line []byte) { lines.Store(t.Label(), string(line)) },
	}, func(r Result) { results = append(results, r) })

	if got, want := int(n.Load()), 5; got != want {
		t.Errorf("got %d credential fetches; want %d (one per account and role)", got, want)
	}
	if diff := cmp.Diff(labels(targets), func() []string {
		var out []string
		for _, r := range results {
			out = append(out, r.Label())
		}
		return out
	}()); diff != "" {
		t.Errorf("results not in target order (-want +got):\n%s", diff)
	}
	for _, r := range results {
		switch r.AccountName {
		case "insights-dev":
			if r.OK() || !strings.Contains(r.Error, "no access") {
				t.Errorf("%s: got %+v; want a credentials error", r.Label(), r)
			}
		case "payments-dev":
			if r.ExitCode != 3 {
				t.Errorf("%s: got exit %d; want 3", r.Label(), r.ExitCode)
			}
		default:
			want := r.AccountName + " " + r.RoleName + " " + r.Region + " AKID" + r.AccountId + "\n"
			if !r.OK() || r.Stdout != want {
				t.Errorf("%s: got %+v; want success printing %q", r.Label(), r, want)
			}
			if l, _ := lines.Load(r.Label()); l != strings.TrimSuffix(want, "\n") {
				t.Errorf("%s: streamed line %q; want %q", r.Label(), l, strings.TrimSuffix(want, "\n"))
			}
		}
	}
}

// portal is an accounts.Portal whose credentials come from creds.
type portal func(ctx context.Context, account, role string) (aws.Credentials, error)

func (p portal) Roles(context.Context, accounts.PortalQuery) ([]accounts.Role, error) {
	return nil, errors.New("not listed here")
}

func (p portal) Credentials(ctx context.Context, account, role string) (aws.Credentials, error) {
	return p(ctx, account, role)
}

func (p portal) Cached(string, string) bool { return false }
