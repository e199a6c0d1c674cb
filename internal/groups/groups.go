// Package groups is identity-store groups as code: a group's desired
// description and members (Desired), what it is live (Read), the changes
// that make it so (Changes, carried out by the one executor, package
// execute), AWS's limits (Validate), and whether the identity store is
// provisioned by SCIM from an external identity provider (DetectSCIM), in
// which case writing groups here drifts from the IdP and is overwritten by
// its next sync.
package groups

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// Member is a user in a group: the user id, and the name it is shown by.
type Member struct {
	UserId   string `json:"userId"`
	UserName string `json:"userName,omitempty"`
}

// Desired is one group's desired description and members (every one of
// them: a live member not listed is removed).
type Desired struct {
	Name        string   `json:"displayName"`
	Description string   `json:"description,omitempty"`
	Members     []Member `json:"members"`
}

// ExternalId is an identifier an external identity provider gave a user or
// group.
type ExternalId = inventory.ExternalId

// Live is a group as read from the identity store.
type Live struct {
	Id          string       `json:"groupId"`
	Name        string       `json:"displayName"`
	Description string       `json:"description,omitempty"`
	ExternalIds []ExternalId `json:"externalIds,omitempty"`
	// Members are the group's users (UserName empty until named);
	// Memberships their membership ids, by user id.
	Members     []Member          `json:"members"`
	Memberships map[string]string `json:"-"`
}

// Reader is what reading a group calls.
type Reader interface {
	DescribeGroup(context.Context, *identitystore.DescribeGroupInput, ...func(*identitystore.Options)) (*identitystore.DescribeGroupOutput, error)
	ListGroupMemberships(context.Context, *identitystore.ListGroupMembershipsInput, ...func(*identitystore.Options)) (*identitystore.ListGroupMembershipsOutput, error)
}

// Directory is where the store's groups and users are listed (package
// inventory's org directory, which reads each listing once for every
// caller): this package lists none itself.
type Directory interface {
	// Groups lists every group, with its description and external ids.
	Groups(ctx context.Context) ([]inventory.Group, error)
	// FirstGroups and FirstUsers are some of them (a page, or the
	// listing once read).
	FirstGroups(ctx context.Context) ([]inventory.Group, error)
	FirstUsers(ctx context.Context) ([]inventory.User, error)
}

// ErrNotFound is wrapped when the group does not exist.
var ErrNotFound = errors.New("group not found")

// Read reads one group and its members: one DescribeGroup and a
// ListGroupMemberships page per 100 members.
func Read(ctx context.Context, c Reader, storeID, id string) (*Live, error) {
	out, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &storeID, GroupId: &id})
	var nf *istypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, fmt.Errorf("group %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("describe group %s: %w", id, err)
	}
	l := &Live{Id: id, Name: aws.ToString(out.DisplayName), Description: aws.ToString(out.Description), Memberships: map[string]string{}, Members: []Member{}}
	for _, e := range out.ExternalIds {
		l.ExternalIds = append(l.ExternalIds, ExternalId{Issuer: aws.ToString(e.Issuer), Id: aws.ToString(e.Id)})
	}
	if err := ReadMembers(ctx, c, storeID, l); err != nil {
		return nil, err
	}
	return l, nil
}

// AttrChange is one difference between the live and the desired group:
// its description (Old, New), or its members (Added, Removed, by name).
type AttrChange struct {
	Attribute string   `json:"attribute"`
	Old       string   `json:"old,omitempty"`
	New       string   `json:"new,omitempty"`
	Added     []string `json:"added,omitempty"`
	Removed   []string `json:"removed,omitempty"`
}

// Plan is what makes a live group (nil: it does not exist) the desired
// one: the executor's changes (the group's create or update, then a
// membership change per member added or removed) and the differences.
type Plan struct {
	Changes []execute.Change `json:"changes"`
	Diff    []AttrChange     `json:"diff"`
}

// Changes plans want against have.
func Changes(want Desired, have *Live) Plan {
	var p Plan
	id := ""
	var haveMembers []Member
	haveDesc := ""
	if have != nil {
		id, haveMembers, haveDesc = have.Id, have.Members, have.Description
	}
	ref := assignments.Assignment{PrincipalType: "GROUP", PrincipalId: id}
	switch {
	case have == nil:
		w := &execute.GroupWrite{}
		if want.Description != "" {
			w.Description = aws.String(want.Description)
		}
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindGroup, Op: execute.Create, Assignment: ref, PrincipalName: want.Name, Group: w})
		if want.Description != "" {
			p.Diff = append(p.Diff, AttrChange{Attribute: "Description", New: want.Description})
		}
	case haveDesc != want.Description:
		w := &execute.GroupWrite{}
		if want.Description != "" {
			w.Description = aws.String(want.Description)
		}
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindGroup, Op: execute.Update, Assignment: ref, PrincipalName: want.Name, Group: w})
		p.Diff = append(p.Diff, AttrChange{Attribute: "Description", Old: haveDesc, New: want.Description})
	}
	has := map[string]bool{}
	for _, m := range haveMembers {
		has[m.UserId] = true
	}
	wants := map[string]bool{}
	var added, removed []string
	for _, m := range want.Members {
		wants[m.UserId] = true
		if has[m.UserId] {
			continue
		}
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindMembership, Op: execute.Create, Assignment: ref, PrincipalName: want.Name,
			Member: &execute.Member{UserId: m.UserId, UserName: m.UserName}})
		added = append(added, nameOf(m))
	}
	for _, m := range haveMembers {
		if wants[m.UserId] {
			continue
		}
		mid := ""
		if have != nil {
			mid = have.Memberships[m.UserId]
		}
		p.Changes = append(p.Changes, execute.Change{Kind: execute.KindMembership, Op: execute.Delete, Assignment: ref, PrincipalName: want.Name,
			Member: &execute.Member{UserId: m.UserId, UserName: m.UserName, MembershipId: mid}})
		removed = append(removed, nameOf(m))
	}
	if len(added)+len(removed) > 0 {
		sort.Strings(added)
		sort.Strings(removed)
		p.Diff = append(p.Diff, AttrChange{Attribute: "Members", Added: added, Removed: removed})
	}
	return p
}

func nameOf(m Member) string {
	if m.UserName != "" {
		return m.UserName
	}
	return m.UserId
}

// Limits from botocore's identitystore model (2020-06-15): GroupDisplayName
// and the description (SensitiveStringType) have 1 to 1,024 characters of
// letters, marks, symbols, numbers, punctuation and white space; the
// CreateGroup documentation reserves Administrator and AWSAdministrators.
const MaxNameLength = 1024

var reDisplayName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \x{00A0}\x{3000}]+$`)
})

// Validate checks a group's name and description against AWS's limits.
func Validate(d Desired) []string {
	var out []string
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		out = append(out, "a group needs a display name")
	case n > MaxNameLength:
		out = append(out, fmt.Sprintf("the display name has %d characters; AWS allows at most %d", n, MaxNameLength))
	case !reDisplayName().MatchString(d.Name):
		out = append(out, fmt.Sprintf("the display name %q has characters AWS does not take (control characters)", d.Name))
	case strings.EqualFold(d.Name, "Administrator") || strings.EqualFold(d.Name, "AWSAdministrators"):
		out = append(out, fmt.Sprintf("%q is a name AWS reserves", d.Name))
	}
	if n := utf8.RuneCountInString(d.Description); n > MaxNameLength {
		out = append(out, fmt.Sprintf("the description has %d characters; AWS allows at most %d", n, MaxNameLength))
	} else if d.Description != "" && !reDisplayName().MatchString(d.Description) {
		out = append(out, "the description has characters AWS does not take (control characters)")
	}
	return out
}

// ControlTower reports whether a group is one AWS Control Tower makes
// (its names start with AWS): prune leaves them alone unless the file
// declares them.
func ControlTower(name string) bool { return strings.HasPrefix(name, "AWS") }

// Source says whether the identity store is provisioned by an external
// identity provider, and what showed it.
type Source struct {
	SCIM bool `json:"scim"`
	// Evidence names what carries an external IdP's identifier, and the
	// issuer ("group platform-admins: https://scim.aws.com/…").
	Evidence string `json:"evidence,omitempty"`
}

// DetectSCIM tells whether the identity store is provisioned by SCIM. The
// Identity Center APIs do not expose the identity source, so the signal is
// the identifiers an external identity provider leaves: users and groups
// made by SCIM carry ExternalIds (IAM Identity Center's SCIM endpoint
// issues https://scim.aws.com/<tenant>; other provisioners, their own). It
// looks at the groups already read, then at the directory's first groups
// and first users (two calls at most: a page of each, none for a listing
// the directory has read).
func DetectSCIM(ctx context.Context, dir Directory, read []*Live) (Source, error) {
	for _, g := range read {
		if len(g.ExternalIds) > 0 {
			return Source{SCIM: true, Evidence: "group " + g.Name + ": " + g.ExternalIds[0].Issuer}, nil
		}
	}
	gs, err := dir.FirstGroups(ctx)
	if err != nil {
		return Source{}, err
	}
	for _, g := range gs {
		if len(g.ExternalIds) > 0 {
			return Source{SCIM: true, Evidence: "group " + g.Name + ": " + g.ExternalIds[0].Issuer}, nil
		}
	}
	us, err := dir.FirstUsers(ctx)
	if err != nil {
		return Source{}, err
	}
	for _, u := range us {
		if u.ExternalIssuer != "" {
			return Source{SCIM: true, Evidence: "user " + u.UserName + ": " + u.ExternalIssuer}, nil
		}
	}
	return Source{}, nil
}

// List is every group of the store, from the directory's listing, with
// its description, sorted by name, without members (ReadMembers adds
// them).
func List(ctx context.Context, dir Directory) ([]*Live, error) {
	all, err := dir.Groups(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Live, 0, len(all))
	for _, g := range all {
		out = append(out, &Live{Id: g.Id, Name: g.Name, Description: g.Description, ExternalIds: slices.Clone(g.ExternalIds), Members: []Member{}, Memberships: map[string]string{}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ReadMembers fills in a listed group's members.
func ReadMembers(ctx context.Context, c Reader, storeID string, l *Live) error {
	p := identitystore.NewListGroupMembershipsPaginator(c, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &storeID, GroupId: &l.Id, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the members of group %s: %w", l.Name, err)
		}
		for _, m := range page.GroupMemberships {
			if u, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
				l.Members = append(l.Members, Member{UserId: u.Value})
				l.Memberships[u.Value] = aws.ToString(m.MembershipId)
			}
		}
	}
	sort.Slice(l.Members, func(i, j int) bool { return l.Members[i].UserId < l.Members[j].UserId })
	return nil
}
