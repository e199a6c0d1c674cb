package access_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/access"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// repeating serves the sandbox, but every ListPermissionSetsProvisionedToAccount
// answer names each permission set twice, as a service may.
func repeating(t *testing.T) inventory.Clients {
	t.Helper()
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListPermissionSetsProvisionedToAccount") {
			srv.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			t.Errorf("unexpected answer %d %s", rec.Code, rec.Body)
			return
		}
		if ps, ok := body["PermissionSets"].([]any); ok {
			body["PermissionSets"] = append(ps, ps...)
		}
		b, _ := json.Marshal(body)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(rec.Code)
		w.Write(b)
	}))
	t.Cleanup(ts.Close)
	return clientsAt(ts.URL)
}

// TestForAccountRepeatedPermissionSets: a permission set the service
// names twice gives its rows once.
func TestForAccountRepeatedPermissionSets(t *testing.T) {
	_, plain := sandbox(t, emulator.Options{})
	want, err := access.ForAccount(ctx, plain, "", "payments-prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := access.ForAccount(ctx, repeating(t), "", "payments-prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Rows) == 0 {
		t.Fatal("payments-prod has no access in the small organization")
	}
	if diff := cmp.Diff(want.Rows, got.Rows); diff != "" {
		t.Errorf("rows with repeated permission sets (-want +got):\n%s", diff)
	}
}
