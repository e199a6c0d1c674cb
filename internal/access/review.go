package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/ssoctl/ssoctl/internal/audit"
	"github.com/ssoctl/ssoctl/internal/fanout"
	"github.com/ssoctl/ssoctl/internal/inventory"
	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// FlagPrivileged marks a row whose permission set is privileged (the org
// settings' privileged: rule, see audit.NamedPrivilege and
// audit.ReadPrivilege).
const FlagPrivileged = "PRIVILEGED"

// AccountReview is what an access review adds to one account's access:
// where the account sits in the OU tree, whether the org settings make it
// production, and which of its permission sets are privileged.
type AccountReview struct {
	// OU is the path of the OU (or root) the account sits in; OUs are the
	// OUs above it, nearest first (ids, names, paths).
	OU  string         `json:"ou"`
	OUs []inventory.OU `json:"ous"`
	// Production is whether the settings name the account, or an OU above
	// it, production; ProductionBy is the entry that does ("" if none).
	Production   bool   `json:"production"`
	ProductionBy string `json:"productionBy,omitempty"`
	// Privileged are the account's privileged permission sets, most
	// privileged first; Users is how many users reach the account with one
	// of them.
	Privileged []audit.Privilege `json:"privileged"`
	Users      int               `json:"privilegedUsers"`
}

// Review adds the review to an account's access: its OU path (ListParents
// up to the root, a DescribeOrganizationalUnit per OU, ListRoots), the
// privilege of each permission set assigned on it (by name, and, unless
// the settings say privileged.policies: false, its policies: two calls
// each), and whether the settings make it production. Rows of privileged
// permission sets are flagged PRIVILEGED; in a production account they
// come first, most privileged first. A privileged name the settings give
// that no permission set here has is not an error: it may be assigned
// elsewhere (audit checks the names against the whole instance).
func Review(ctx context.Context, c inventory.Clients, policies audit.PolicyReader, settings *orgconfig.Config, acc *AccountAccess) error {
	var sets []inventory.PermissionSet
	seen := map[string]bool{}
	for _, r := range acc.Rows {
		if !seen[r.PermissionSetArn] {
			seen[r.PermissionSetArn] = true
			sets = append(sets, inventory.PermissionSet{Arn: r.PermissionSetArn, Name: r.PermissionSet})
		}
	}
	priv, err := audit.NamedPrivilege(settings, sets, false)
	if err != nil {
		return err
	}
	read := policies != nil && (settings == nil || settings.Privileged.Policies)
	// The OU chain and each permission set's policies, at once.
	var chain []inventory.OU
	errs := make([]error, len(sets)+1)
	ranks := make([]int, len(sets))
	reasons := make([][]string, len(sets))
	fanout.Each(ctx, len(sets)+1, c.Limit(), func(ctx context.Context, i int) {
		if i == len(sets) {
			chain, errs[i] = ancestors(ctx, c.Organizations, acc.Account.Id)
			return
		}
		if read {
			ranks[i], reasons[i], errs[i] = audit.ReadPrivilege(ctx, policies, acc.Instance.Arn, sets[i].Arn)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("policies of permission set %s: %w", sets[i].Name, errs[i])
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, ps := range sets {
		for _, why := range reasons[i] {
			p := priv[ps.Arn]
			p.Name = ps.Name
			p.Rank = max(p.Rank, ranks[i])
			if !slices.Contains(p.Reasons, why) {
				p.Reasons = append(p.Reasons, why)
			}
			priv[ps.Arn] = p
		}
	}

	rv := &AccountReview{OUs: chain, Privileged: []audit.Privilege{}}
	if len(chain) > 0 {
		rv.OU = chain[0].Path
	}
	rv.ProductionBy = productionBy(settings, acc.Account, chain)
	rv.Production = rv.ProductionBy != ""
	for _, p := range priv {
		rv.Privileged = append(rv.Privileged, p)
	}
	slices.SortFunc(rv.Privileged, audit.ComparePrivilege)
	users := map[string]bool{}
	for i := range acc.Rows {
		r := &acc.Rows[i]
		if priv[r.PermissionSetArn].Privileged() {
			r.Flags = append(r.Flags, FlagPrivileged)
			if r.UserId != "" {
				users[r.UserId] = true
			}
		}
	}
	rv.Users = len(users)
	if rv.Production {
		// Privileged access to production first, most privileged first;
		// the rest keeps its order.
		slices.SortStableFunc(acc.Rows, func(x, y AccountRow) int {
			return -cmp.Compare(priv[x.PermissionSetArn].Rank, priv[y.PermissionSetArn].Rank)
		})
	}
	acc.Review = rv
	return nil
}

// productionBy is the settings entry that makes the account production:
// the account by id or name, or an OU above it by id, path (with or
// without the root's name) or name; "" when none does.
func productionBy(settings *orgconfig.Config, acct inventory.Account, chain []inventory.OU) string {
	if settings == nil {
		return ""
	}
	for _, ref := range settings.Production.Accounts {
		if ref.Value == acct.Id || ref.Value == acct.Name {
			return "account " + ref.Value
		}
	}
	for _, ref := range settings.Production.OUs {
		want := strings.Trim(ref.Value, "/")
		for _, ou := range chain {
			_, rel, _ := strings.Cut(ou.Path, "/")
			if want == ou.Id || strings.EqualFold(want, ou.Path) || (rel != "" && strings.EqualFold(want, rel)) || strings.EqualFold(want, ou.Name) {
				return "OU " + ref.Value
			}
		}
	}
	return ""
}

// ancestors are the OUs (and the root) above an account, nearest first,
// each with its path: ListParents up to the root, DescribeOrganizationalUnit
// for each OU's name, ListRoots for the root's.
func ancestors(ctx context.Context, c inventory.Organizations, accountID string) ([]inventory.OU, error) {
	type step struct{ id, name string }
	var steps []step
	child := accountID
	for depth := 0; depth < 8; depth++ {
		out, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil {
			return nil, fmt.Errorf("list parents of %s: %w", child, err)
		}
		if len(out.Parents) == 0 {
			break
		}
		p := out.Parents[0]
		id := aws.ToString(p.Id)
		if p.Type == orgtypes.ParentTypeRoot {
			roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
			if err != nil {
				return nil, fmt.Errorf("list organization roots: %w", err)
			}
			name := id
			for _, r := range roots.Roots {
				if aws.ToString(r.Id) == id {
					name = aws.ToString(r.Name)
				}
			}
			steps = append(steps, step{id, name})
			break
		}
		ou, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("describe OU %s: %w", id, err)
		}
		steps = append(steps, step{id, aws.ToString(ou.OrganizationalUnit.Name)})
		child = id
	}
	// Paths from the root down.
	out := make([]inventory.OU, len(steps))
	path := ""
	for i := len(steps) - 1; i >= 0; i-- {
		if path == "" {
			path = steps[i].name
		} else {
			path += "/" + steps[i].name
		}
		out[i] = inventory.OU{Id: steps[i].id, Name: steps[i].name, Path: path}
		if i+1 < len(steps) {
			out[i].ParentId = steps[i+1].id
		}
	}
	return out, nil
}
