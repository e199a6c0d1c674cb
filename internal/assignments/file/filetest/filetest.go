// Package filetest serves a sandbox organization for tests of the
// packages that resolve assignments files against it.
package filetest

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/peertest"
)

// Sandbox serves an organization (opts.Org; the small demo one by
// default) over real HTTP until the test ends, and returns the org
// directory over it with its SDK clients (single attempts: what the sandbox
// says is what the test sees) and its URL.
func Sandbox(t testing.TB, opts emulator.Options) (*inventory.Directory, string) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := peertest.SDKConfig(ts.URL, 1)
	c := inventory.Clients{SSOAdmin: ssoadmin.NewFromConfig(cfg), IdentityStore: identitystore.NewFromConfig(cfg), Organizations: organizations.NewFromConfig(cfg)}
	return inventory.NewDirectory(c, inventory.DirectoryOptions{}), ts.URL
}
