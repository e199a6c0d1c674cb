package groups_test

import (
	"context"
	"testing"

	"github.com/ssoctl/ssoctl/internal/groups"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// dir is a directory whose first page of groups and users is given.
type dir struct {
	groups []inventory.Group
	users  []inventory.User
}

func (d dir) Groups(context.Context) ([]inventory.Group, error)      { return d.groups, nil }
func (d dir) FirstGroups(context.Context) ([]inventory.Group, error) { return d.groups, nil }
func (d dir) FirstUsers(context.Context) ([]inventory.User, error)   { return d.users, nil }

// TestDetectSCIM: the external ids of the groups read, then of the
// directory's first groups, then of its first users, are the signal.
func TestDetectSCIM(t *testing.T) {
	scim := []inventory.ExternalId{{Issuer: "https://scim.aws.com/a1b2c3", Id: "00u1"}}
	for _, tc := range []struct {
		name string
		read []*groups.Live
		dir  dir
		want groups.Source
	}{
		{"none", nil, dir{groups: []inventory.Group{{Name: "developers"}}, users: []inventory.User{{UserName: "alice"}}}, groups.Source{}},
		{"a group read", []*groups.Live{{Name: "ops", ExternalIds: scim}}, dir{}, groups.Source{SCIM: true, Evidence: "group ops: https://scim.aws.com/a1b2c3"}},
		{"a listed group", nil, dir{groups: []inventory.Group{{Name: "developers", ExternalIds: scim}}}, groups.Source{SCIM: true, Evidence: "group developers: https://scim.aws.com/a1b2c3"}},
		{"a listed user", nil, dir{groups: []inventory.Group{{Name: "developers"}}, users: []inventory.User{{UserName: "alice", ExternalIssuer: "https://okta.example.com"}}},
			groups.Source{SCIM: true, Evidence: "user alice: https://okta.example.com"}},
	} {
		got, err := groups.DetectSCIM(context.Background(), tc.dir, tc.read)
		if err != nil || got != tc.want {
			t.Errorf("%s: DetectSCIM = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}
