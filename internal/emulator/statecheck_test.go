package emulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// The generated organizations are states AWS could be in.
func TestGeneratedStatesCheck(t *testing.T) {
	for _, size := range []string{"small", "medium", "large"} {
		if size == "large" && testing.Short() {
			continue
		}
		st := emulator.Generate(size, 0)
		start := time.Now()
		if err := st.Check(); err != nil {
			t.Errorf("%s: %v", size, err)
		}
		t.Logf("%s: checked in %v", size, time.Since(start).Round(time.Millisecond))
	}
}

// A state file with duplicate ids or dangling references is refused, with
// the JSON path of the offending value, on one line.
func TestStateCheck(t *testing.T) {
	base := emulator.Generate("small", 0)
	find := func(t *testing.T, st *emulator.State, name string) int {
		for i, a := range st.Accounts {
			if a.Name == name {
				return i
			}
		}
		t.Fatalf("no account %s", name)
		return -1
	}
	const nowhere = "999999999999"
	noPS := "arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000"
	noID := "0000000000-00000000-0000-0000-0000-000000000000"
	tests := []struct {
		name   string
		change func(t *testing.T, st *emulator.State)
		want   string
	}{
		{"duplicate account id", func(t *testing.T, st *emulator.State) {
			st.Accounts[find(t, st, "network")].Id = st.Accounts[find(t, st, "log-archive")].Id
		}, `].id: duplicate account id "`},
		{"duplicate OU id", func(t *testing.T, st *emulator.State) {
			st.OUs[2].Id = st.OUs[0].Id
		}, `organizationalUnits[2].id: duplicate OU id "` + base.OUs[0].Id + `" (also at organizationalUnits[0].id)`},
		{"an OU with the root's id", func(t *testing.T, st *emulator.State) {
			st.OUs[1].Id = st.Roots[0].Id
		}, `organizationalUnits[1].id: duplicate OU id "` + base.Roots[0].Id + `" (also at roots[0].id)`},
		{"account under a missing parent", func(t *testing.T, st *emulator.State) {
			st.Accounts[3].ParentId = "ou-zzzz-zzzzzzzz"
		}, `accounts[3].parentId: parent "ou-zzzz-zzzzzzzz" is neither a root nor an OU`},
		{"OU under a missing parent", func(t *testing.T, st *emulator.State) {
			st.OUs[1].ParentId = "r-zzzz"
		}, `organizationalUnits[1].parentId: parent "r-zzzz" is neither a root nor an OU`},
		{"an account state that is none", func(t *testing.T, st *emulator.State) {
			st.Accounts[0].State = "ENABLED"
		}, `accounts[0].state: "ENABLED" is not an account state (ACTIVE, SUSPENDED, PENDING_CLOSURE, PENDING_ACTIVATION, CLOSED)`},
		{"management account missing", func(t *testing.T, st *emulator.State) {
			st.Organization.MasterAccountId = nowhere
		}, `organization.masterAccountId: account "999999999999" is not in accounts`},
		{"assignment to a missing account", func(t *testing.T, st *emulator.State) {
			st.Assignments[5].AccountId = nowhere
		}, `assignments[5].accountId: account "999999999999" is not in accounts`},
		{"assignment of a missing permission set", func(t *testing.T, st *emulator.State) {
			st.Assignments[7].PermissionSetArn = noPS
		}, `assignments[7].permissionSetArn: permission set "` + noPS + `" is not in permissionSets`},
		{"duplicate assignment", func(t *testing.T, st *emulator.State) {
			st.Assignments = append(st.Assignments, st.Assignments[2])
		}, `assignments[47]: duplicate assignment of `},
		{"provisioned to a missing account", func(t *testing.T, st *emulator.State) {
			st.Provisioned[0].AccountId = nowhere
		}, `provisioned[0].accountId: account "999999999999" is not in accounts`},
		{"membership of a missing user", func(t *testing.T, st *emulator.State) {
			st.Memberships[4].UserId = noID
		}, `memberships[4].userId: user "` + noID + `" is not in users of identity store "`},
		{"membership in a missing group", func(t *testing.T, st *emulator.State) {
			st.Memberships[6].GroupId = noID
		}, `memberships[6].groupId: group "` + noID + `" is not in groups of identity store "`},
		{"duplicate user id", func(t *testing.T, st *emulator.State) {
			st.Users[9].UserId = st.Users[1].UserId
		}, `users[9].userId: duplicate user id "` + base.Users[1].UserId + `" (also at users[1].userId)`},
		{"duplicate user name, whatever its case", func(t *testing.T, st *emulator.State) {
			st.Users[9].UserName = strings.ToUpper(st.Users[1].UserName)
		}, `users[9].userName: duplicate user name "` + strings.ToUpper(base.Users[1].UserName) + `" (also at users[1].userName)`},
		{"duplicate group name", func(t *testing.T, st *emulator.State) {
			st.Groups[3].DisplayName = st.Groups[0].DisplayName
		}, `groups[3].displayName: duplicate group name "`},
		{"duplicate membership id", func(t *testing.T, st *emulator.State) {
			st.Memberships[8].MembershipId = st.Memberships[0].MembershipId
		}, `memberships[8].membershipId: duplicate membership id "`},
		{"user of a missing identity store", func(t *testing.T, st *emulator.State) {
			st.Users[2].IdentityStoreId = "d-0000000000"
		}, `users[2].identityStoreId: identity store "d-0000000000" is not an instance's`},
		{"permission set of a missing instance", func(t *testing.T, st *emulator.State) {
			st.PermissionSets[1].InstanceArn = "arn:aws:sso:::instance/ssoins-0000000000000000"
		}, `permissionSets[1].instanceArn: instance "arn:aws:sso:::instance/ssoins-0000000000000000" is not in instances`},
		{"duplicate permission set name", func(t *testing.T, st *emulator.State) {
			st.PermissionSets[2].Name = st.PermissionSets[0].Name
		}, `permissionSets[2].name: duplicate permission set name "`},
		{"IAM user of a missing account", func(t *testing.T, st *emulator.State) {
			st.IAMUsers[0].AccountId = nowhere
		}, `iamUsers[0].accountId: account "999999999999" is not in accounts`},
		{"IAM role of a missing account", func(t *testing.T, st *emulator.State) {
			st.IAMRoles = append(emulator.DemoRoles(st), emulator.IAMRole{AccountId: nowhere, RoleName: "Stray", Path: "/", TrustPolicy: "{}"})
		}, `].accountId: account "999999999999" is not in accounts`},
		{"duplicate bucket", func(t *testing.T, st *emulator.State) {
			st.Buckets[1].Name = st.Buckets[0].Name
		}, `buckets[1].name: duplicate bucket name "`},
		{"additional Region that is the primary", func(t *testing.T, st *emulator.State) {
			st.Instances[0].AdditionalRegions = []emulator.InstanceRegion{{Name: "us-east-1"}}
		}, `instances[0].additionalRegions[0].name: additional Region us-east-1 is the primary Region`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(base)
			if err != nil {
				t.Fatal(err)
			}
			var st emulator.State
			if err := json.Unmarshal(b, &st); err != nil {
				t.Fatal(err)
			}
			tt.change(t, &st)
			b, err = json.Marshal(&st)
			if err != nil {
				t.Fatal(err)
			}
			_, err = emulator.LoadState(bytes.NewReader(b))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v; want one line containing %q", err, tt.want)
			}
			var se *emulator.StateError
			if !errors.As(err, &se) {
				t.Errorf("got %T; want a *emulator.StateError", err)
			}
		})
	}
	// The orphaned assignment of the demo (its user was deleted) is fine.
	if err := base.Check(); err != nil {
		t.Errorf("the small org: %v", err)
	}
}
