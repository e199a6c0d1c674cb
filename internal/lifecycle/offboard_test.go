package lifecycle_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/legacyiam"
	"github.com/ssoctl/ssoctl/internal/lifecycle"
)

// TestOffboardRetiresIAMFirst: offboarding with the legacy IAM user
// retires the IAM user first; when one of its steps fails (IAM refuses
// DeleteAccessKey) nothing in Identity Center changes: the user, their
// assignments and memberships stay. Once IAM accepts, a re-run retires the
// IAM user and then removes the Identity Center user.
func TestOffboardRetiresIAMFirst(t *testing.T) {
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var refuse atomic.Bool
	refuse.Store(true)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() && r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if q, err := url.ParseQuery(string(body)); err == nil && q.Get("Action") == "DeleteAccessKey" {
				awsproto.WriteQueryError(w, "req-1", "https://iam.amazonaws.com/doc/2010-05-08/", awsproto.Err(403, "AccessDenied", "not allowed to delete access keys"))
				return
			}
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	ctx := context.Background()
	set := must(awsclient.New(ctx, awsclient.Options{EndpointURL: hs.URL, Region: "us-east-1", Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.SandboxAccessKeyID, emulator.SandboxSecretAccessKey, "")}))
	d := must(lifecycle.Open(ctx, lifecycle.Clients{SSOAdmin: set.SSOAdmin(), IdentityStore: set.IdentityStore(), Organizations: set.Organizations()}, ""))

	const name = "alice.johnson"
	u := must(d.User(ctx, name))
	plan := must(d.PlanOffboard(ctx, u, false))
	if len(plan.Assignments.Changes)+len(plan.Memberships) == 0 {
		t.Fatalf("%s has nothing to remove in Identity Center; the test needs something", name)
	}
	st := must(legacyiam.Inspect(ctx, set.IAM(), name))
	if !st.Exists || len(st.AccessKeys) == 0 {
		t.Fatalf("IAM user %s: %+v; want one with access keys", name, st)
	}
	var told int
	retire := &lifecycle.RetireFirst{IAM: set.IAM(), Steps: legacyiam.Steps(st), OnStep: func(legacyiam.StepResult) { told++ }}

	got, err := d.Offboard(ctx, plan, retire, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.IAMFailed || got.Result != nil || told != len(got.IAMResults) || told == 0 {
		t.Fatalf("IAM refused: IAMFailed %v, Result %+v, %d steps told of %d; want failed, no Identity Center result, every step told", got.IAMFailed, got.Result, told, len(got.IAMResults))
	}
	if _, err := d.User(ctx, name); err != nil {
		t.Errorf("the Identity Center user after the IAM part failed: %v; want them kept", err)
	}
	if again := must(d.PlanOffboard(ctx, u, false)); len(again.Assignments.Changes) != len(plan.Assignments.Changes) || len(again.Memberships) != len(plan.Memberships) {
		t.Errorf("after the IAM part failed: %d assignments, %d memberships; want %d and %d, untouched",
			len(again.Assignments.Changes), len(again.Memberships), len(plan.Assignments.Changes), len(plan.Memberships))
	}

	refuse.Store(false)
	st = must(legacyiam.Inspect(ctx, set.IAM(), name))
	retire.Steps = legacyiam.Steps(st)
	got, err = d.Offboard(ctx, plan, retire, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.IAMFailed || got.Result == nil || !got.Result.OK() {
		t.Fatalf("re-run: IAMFailed %v, Result %+v; want the IAM user retired and the user removed", got.IAMFailed, got.Result)
	}
	if st := must(legacyiam.Inspect(ctx, set.IAM(), name)); st.Exists {
		t.Errorf("IAM user %s still exists after the re-run", name)
	}
	if _, err := d.User(ctx, name); !errors.Is(err, inventory.ErrNotFound) {
		t.Errorf("the Identity Center user after the re-run: %v; want not found", err)
	}
}
