package accesscmd

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

// TestHostileGroupNameIsEscaped: a group named "ops\rSPOOFED" (AWS's
// display-name pattern allows a carriage return), created and assigned
// through the sandbox's API, cannot move the cursor in `access user`'s or
// `access account`'s table; JSON keeps the exact name.
func TestHostileGroupNameIsEscaped(t *testing.T) {
	ctx := context.Background()
	ios, _, out, _ := iostreams.Test()
	f := factory.New(ios)
	f.Global.Sandbox = true
	defer f.Close()
	set, err := f.Clients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := inventoryClients(set)
	inst, err := inventory.FindInstance(ctx, c.SSOAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	const hostile = "ops\rSPOOFED"
	g, err := set.IdentityStore().CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &inst.IdentityStoreId, DisplayName: aws.String(hostile)})
	if err != nil {
		t.Fatal(err)
	}
	uid, err := inventory.UserID(ctx, c.IdentityStore, inst, "alice.turner")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.IdentityStore().CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &inst.IdentityStoreId,
		GroupId: g.GroupId, MemberId: &istypes.MemberIdMemberUserId{Value: uid}}); err != nil {
		t.Fatal(err)
	}
	acct, err := inventory.FindAccount(ctx, c.Organizations, "network")
	if err != nil {
		t.Fatal(err)
	}
	psets, err := inventory.NamedPermissionSets(ctx, c, inst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.SSOAdmin().CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &inst.Arn,
		PermissionSetArn: &psets[0].Arn, PrincipalId: g.GroupId, PrincipalType: satypes.PrincipalTypeGroup,
		TargetId: &acct.Id, TargetType: satypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "names.json")

	for _, tc := range []struct {
		name string
		run  func() error
		want string
	}{
		{"access user", func() error {
			return runUser(ctx, &userOptions{common: common{IO: ios, Clients: f.Clients, CachePath: cache, Format: "table"}, User: "alice.turner"})
		}, `group:ops\rSPOOFED`},
		{"access account", func() error {
			return runAccount(ctx, &accountOptions{common: common{IO: ios, Clients: f.Clients, CachePath: cache, Format: "table"}, Account: "network"})
		}, ` ops\rSPOOFED `},
	} {
		out.Reset()
		if err := tc.run(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if strings.ContainsAny(out.String(), "\r\x1b") {
			t.Errorf("%s: the table holds a raw control character:\n%q", tc.name, out.String())
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: got\n%s\nwant the escaped name %s", tc.name, out.String(), tc.want)
		}
	}

	out.Reset()
	if err := runUser(ctx, &userOptions{common: common{IO: ios, Clients: f.Clients, CachePath: cache, Format: "json"}, User: "alice.turner"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct{ DisplayName string }
		Access []struct{ Path string }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Access) != 1 || doc.Access[0].Path != "group:"+hostile || len(doc.Groups) != 1 || doc.Groups[0].DisplayName != hostile {
		t.Errorf("got %+v; want the exact name %q in JSON", doc, hostile)
	}
}
