package emulator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// An instance replicated to an additional Region answers its PrimaryRegion
// and Regions; there only instance reads, identity-store reads and sign-in
// work, as AWS documents; the primary Region serves everything.
func TestAdditionalRegions(t *testing.T) {
	t.Parallel()
	srv, cfg, _ := sandbox(t, emulator.Options{AdditionalRegions: []string{"eu-west-1"}})
	st := srv.Snapshot()
	inst, store := st.Instances[0].InstanceArn, st.Instances[0].IdentityStoreId
	if got := st.Instances[0].AdditionalRegions; len(got) != 1 || got[0].Name != "eu-west-1" {
		t.Fatalf("state: got additional Regions %+v; want eu-west-1", got)
	}
	in := func(region string) (*ssoadmin.Client, *identitystore.Client) {
		c := cfg.Copy()
		c.Region = region
		return ssoadmin.NewFromConfig(c), identitystore.NewFromConfig(c)
	}
	primarySSO, _ := in("us-east-1")
	replicaSSO, replicaIDs := in("eu-west-1")

	wantRegions := func(t *testing.T, primary *string, regions []types.RegionMetadata) {
		t.Helper()
		var got []string
		for _, r := range regions {
			got = append(got, aws.ToString(r.RegionName)+"/"+string(r.Status)+"/"+map[bool]string{true: "primary", false: "additional"}[r.IsPrimaryRegion])
			if r.AddedDate == nil {
				t.Errorf("Region %s: no AddedDate", aws.ToString(r.RegionName))
			}
		}
		if aws.ToString(primary) != "us-east-1" {
			t.Errorf("got PrimaryRegion %q; want us-east-1", aws.ToString(primary))
		}
		if diff := cmp.Diff([]string{"us-east-1/ACTIVE/primary", "eu-west-1/ACTIVE/additional"}, got); diff != "" {
			t.Errorf("Regions (-want +got):\n%s", diff)
		}
	}
	for _, c := range []struct {
		name string
		sso  *ssoadmin.Client
	}{{"primary", primarySSO}, {"additional", replicaSSO}} {
		t.Run("instance reads in the "+c.name+" Region", func(t *testing.T) {
			for _, scope := range []types.RegionScope{"", types.RegionScopeCurrentRegion, types.RegionScopeAllRegions} {
				out, err := c.sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{RegionScope: scope})
				if err != nil {
					t.Fatalf("ListInstances %q: %v", scope, err)
				}
				if len(out.Instances) != 1 {
					t.Fatalf("ListInstances %q: got %d instances; want 1", scope, len(out.Instances))
				}
				wantRegions(t, out.Instances[0].PrimaryRegion, out.Instances[0].Regions)
			}
			d, err := c.sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: &inst})
			if err != nil {
				t.Fatalf("DescribeInstance: %v", err)
			}
			if aws.ToString(d.IdentityStoreId) != store || d.Status != types.InstanceStatusActive {
				t.Errorf("DescribeInstance: got store %q status %q; want %s ACTIVE", aws.ToString(d.IdentityStoreId), d.Status, store)
			}
			wantRegions(t, d.PrimaryRegion, d.Regions)
		})
	}

	t.Run("primary-only calls refused in the additional Region", func(t *testing.T) {
		ps := st.PermissionSets[0].Arn
		_, err := replicaSSO.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &inst})
		wantAPIError(t, err, "AccessDeniedException")
		if !strings.Contains(err.Error(), "call it in the primary Region us-east-1") {
			t.Errorf("got %v; want the error to name the primary Region", err)
		}
		_, err = replicaSSO.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &inst, PermissionSetArn: &ps})
		wantAPIError(t, err, "AccessDeniedException")
		_, err = replicaSSO.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &inst, AccountId: &st.Accounts[0].Id, PermissionSetArn: &ps})
		wantAPIError(t, err, "AccessDeniedException")
		_, err = replicaSSO.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &inst, TargetId: &st.Accounts[0].Id,
			TargetType: types.TargetTypeAwsAccount, PermissionSetArn: &ps, PrincipalType: types.PrincipalTypeUser, PrincipalId: &st.Users[0].UserId})
		wantAPIError(t, err, "AccessDeniedException")
		_, err = replicaIDs.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &store, DisplayName: aws.String("replica-group")})
		wantAPIError(t, err, "AccessDeniedException")
	})
	t.Run("identity-store reads in the additional Region", func(t *testing.T) {
		out, err := replicaIDs.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: &store})
		if err != nil || len(out.Users) == 0 {
			t.Fatalf("ListUsers: got %d users, %v; want users", len(out.Users), err)
		}
		if _, err := replicaIDs.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &store, AlternateIdentifier: isByAttr("userName", st.Users[0].UserName)}); err != nil {
			t.Errorf("GetUserId: %v", err)
		}
	})
	t.Run("the primary Region and a Region of no instance serve everything", func(t *testing.T) {
		for _, region := range []string{"us-east-1", "ap-south-1"} {
			c, _ := in(region)
			if _, err := c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: &inst}); err != nil {
				t.Errorf("ListPermissionSets in %s: %v", region, err)
			}
		}
	})
	t.Run("bad RegionScope", func(t *testing.T) {
		_, err := primarySSO.ListInstances(ctx, &ssoadmin.ListInstancesInput{RegionScope: "EVERYWHERE"})
		wantAPIError(t, err, "ValidationException")
	})
}

// With two instances, CURRENT_REGION lists only those enabled in the
// Region called; ALL_REGIONS lists both.
func TestListInstancesRegionScope(t *testing.T) {
	t.Parallel()
	st := emulator.Generate("small", 0)
	second := st.Instances[0]
	second.InstanceArn, second.IdentityStoreId, second.Name = "arn:aws:sso:::instance/ssoins-2222222222222222", "d-2222222222", "second"
	second.AdditionalRegions = []emulator.InstanceRegion{{Name: "eu-central-1", Added: second.Created}}
	st.Instances = append(st.Instances, second)
	_, cfg, _ := sandbox(t, emulator.Options{State: st})
	cfg.Region = "eu-central-1"
	c := ssoadmin.NewFromConfig(cfg)
	for scope, want := range map[types.RegionScope][]string{"": {"second"}, types.RegionScopeAllRegions: {"sandbox", "second"}} {
		p := ssoadmin.NewListInstancesPaginator(c, &ssoadmin.ListInstancesInput{RegionScope: scope, MaxResults: aws.Int32(1)})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListInstances %q: %v", scope, err)
			}
			for _, in := range out.Instances {
				got = append(got, aws.ToString(in.Name))
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListInstances %q in eu-central-1 (-want +got):\n%s", scope, diff)
		}
	}
}

func TestAdditionalRegionOptionChecked(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{"europe": `additional Region "europe" is not a Region name`, "us-east-1": "additional Region us-east-1 is the primary Region"} {
		if _, err := emulator.New(emulator.Options{AdditionalRegions: []string{region}}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("AdditionalRegions %s: got %v; want %q", region, err, want)
		}
	}
}
