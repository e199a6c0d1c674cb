package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// bodyRecorder is an SDK HTTP client that keeps every response body it
// passes on, so a test can read what went over the wire.
type bodyRecorder struct {
	next   aws.HTTPClient
	mu     sync.Mutex
	bodies [][]byte
}

func (r *bodyRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if err != nil {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	r.bodies = append(r.bodies, b)
	r.mu.Unlock()
	return resp, nil
}

func (r *bodyRecorder) last() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[len(r.bodies)-1]
}

// An account is answered with State and without Status, which AWS retired
// on 2026-09-09 (botocore's model: "will be retired on September 9, 2026").
func TestOrganizationsAccountsCarryStateOnly(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	_, cfg, _ := sandbox(t, emulator.Options{State: st})
	rec := &bodyRecorder{next: awshttp.NewBuildableClient()}
	cfg.HTTPClient = rec
	org := organizations.NewFromConfig(cfg)

	var suspended, root string
	for _, a := range st.Accounts {
		if a.State == "SUSPENDED" {
			suspended = a.Id
		}
	}
	if suspended == "" {
		t.Fatal("the small org has no suspended account")
	}
	root = st.Roots[0].Id

	// accountsOf decodes the raw accounts of the last answer.
	accountsOf := func(t *testing.T, list bool) []map[string]any {
		t.Helper()
		var out struct {
			Accounts []map[string]any
			Account  map[string]any
		}
		if err := json.Unmarshal(rec.last(), &out); err != nil {
			t.Fatalf("decode %s: %v", rec.last(), err)
		}
		if !list {
			return []map[string]any{out.Account}
		}
		return out.Accounts
	}
	check := func(t *testing.T, accts []map[string]any) {
		t.Helper()
		if len(accts) == 0 {
			t.Fatal("got no accounts")
		}
		for _, a := range accts {
			if _, ok := a["Status"]; ok {
				t.Errorf("account %v carries the retired Status", a["Id"])
			}
			switch a["State"] {
			case "ACTIVE", "SUSPENDED":
			default:
				t.Errorf("account %v: got State %v; want ACTIVE or SUSPENDED", a["Id"], a["State"])
			}
		}
	}

	t.Run("ListAccounts", func(t *testing.T) {
		p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{})
		sawSuspended := false
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			check(t, accountsOf(t, true))
			for _, a := range page.Accounts {
				if aws.ToString(a.Id) == suspended {
					sawSuspended = a.State == orgtypes.AccountStateSuspended
				}
			}
		}
		if !sawSuspended {
			t.Errorf("ListAccounts: account %s: want State SUSPENDED", suspended)
		}
	})
	t.Run("DescribeAccount", func(t *testing.T) {
		out, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &suspended})
		if err != nil {
			t.Fatal(err)
		}
		check(t, accountsOf(t, false))
		if out.Account.State != orgtypes.AccountStateSuspended {
			t.Errorf("got State %q; want SUSPENDED", out.Account.State)
		}
	})
	t.Run("ListAccountsForParent", func(t *testing.T) {
		if _, err := org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: &root}); err != nil {
			t.Fatal(err)
		}
		check(t, accountsOf(t, true))
	})
}

// A state file names the account's state "state"; "status", its name in
// files dumped before, still loads; the dump writes "state" only.
func TestStateAccountState(t *testing.T) {
	t.Parallel()
	base := emulator.Generate("small", 0)
	dump, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(dump, []byte(`"status":"ACTIVE"`)) || !bytes.Contains(dump, []byte(`"state":"SUSPENDED"`)) {
		t.Fatalf("state dump: accounts should carry state only")
	}
	legacy := strings.ReplaceAll(string(dump), `"state":"`, `"status":"`)
	st, err := emulator.LoadState(strings.NewReader(legacy))
	if err != nil {
		t.Fatalf("a state file with the old name: %v", err)
	}
	for i, a := range st.Accounts {
		if want := base.Accounts[i].State; a.State != want || a.LegacyStatus != "" {
			t.Errorf("accounts[%d]: got state %q (status %q); want %q", i, a.State, a.LegacyStatus, want)
		}
	}
	both := strings.Replace(string(dump), `"state":"SUSPENDED"`, `"state":"SUSPENDED","status":"ACTIVE"`, 1)
	if _, err := emulator.LoadState(strings.NewReader(both)); err == nil || !strings.Contains(err.Error(), `state "SUSPENDED" and status "ACTIVE" disagree`) {
		t.Errorf("state and status that disagree: got %v; want an error saying so", err)
	}
}
