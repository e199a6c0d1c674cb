package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

// PolicyReader reads what a permission set's privilege is judged by: its
// inline policy and its AWS managed policies (two calls per permission
// set; a permission set holds at most 20 managed policies, one page).
type PolicyReader interface {
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	ListManagedPoliciesInPermissionSet(context.Context, *ssoadmin.ListManagedPoliciesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error)
}

// Ranks of privilege, highest first when a review orders permission sets.
const (
	RankNone  = 0
	RankNamed = 1 // named privileged in the org settings, nothing more known
	RankIAM   = 2 // can administer IAM (iam:*), and so grant itself anything
	RankAdmin = 3 // can do anything (*)
)

// Privilege is why a permission set is privileged (Rank > RankNone).
type Privilege struct {
	Name    string   `json:"name"`
	Rank    int      `json:"rank"`
	Reasons []string `json:"reasons"`
}

// Privileged reports whether p makes its holders privileged.
func (p Privilege) Privileged() bool { return p.Rank > RankNone }

// Reason is the reasons in one line.
func (p Privilege) Reason() string { return strings.Join(p.Reasons, "; ") }

// add raises p to rank for reason (a reason is listed once).
func (p *Privilege) add(rank int, reason string) {
	p.Rank = max(p.Rank, rank)
	if !slices.Contains(p.Reasons, reason) {
		p.Reasons = append(p.Reasons, reason)
	}
}

// More reports whether p is more privileged than q: a higher rank, then
// the name, so that "the most privileged permission set" is one answer.
func (p Privilege) More(q Privilege) bool {
	if p.Rank != q.Rank {
		return p.Rank > q.Rank
	}
	return q.Name == "" || (p.Name != "" && p.Name < q.Name)
}

// ComparePrivilege orders the most privileged first (More).
func ComparePrivilege(p, q Privilege) int {
	switch {
	case p.More(q):
		return -1
	case q.More(p):
		return 1
	}
	return 0
}

// The AWS managed policies that make a permission set privileged, by the
// end of their ARN (any partition).
var privilegedManaged = []struct {
	suffix string
	rank   int
}{
	{":iam::aws:policy/AdministratorAccess", RankAdmin},
	{":iam::aws:policy/IAMFullAccess", RankIAM},
}

// ManagedPolicyPrivilege judges one attached AWS managed policy:
// AdministratorAccess is RankAdmin, IAMFullAccess RankIAM, any other
// RankNone.
func ManagedPolicyPrivilege(arn string) (rank int, reason string) {
	for _, m := range privilegedManaged {
		if strings.HasSuffix(arn, m.suffix) {
			return m.rank, "AWS managed policy " + m.suffix[strings.LastIndex(m.suffix, "/")+1:]
		}
	}
	return RankNone, ""
}

// InlinePolicyPrivilege judges an inline policy by one simple rule, over
// its Allow statements on every resource (Resource "*", or NotResource):
//
//   - Action "*" (or "*:*"): RankAdmin, "allows *";
//   - Action "iam:*": RankIAM, "allows iam:*";
//   - NotAction that leaves out no IAM action (none of its entries is "*",
//     "*:*" or starts with "iam:"): RankAdmin, "allows every action but …";
//   - NotAction that leaves out some IAM actions but not "iam:*": RankIAM,
//     "allows IAM actions but …" (any IAM write lets a holder grant
//     themselves the rest).
//
// Action names compare without regard to case. Deny statements are not
// subtracted and conditions are not weighed: a review errs on the side of
// calling a permission set privileged. An empty document is RankNone; one
// that is not JSON is an error.
func InlinePolicyPrivilege(doc string) (rank int, reason string, err error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return RankNone, "", nil
	}
	if !strings.HasPrefix(doc, "{") { // IAM hands documents out URL-encoded
		if d, err := url.QueryUnescape(doc); err == nil {
			doc = d
		}
	}
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return RankNone, "", fmt.Errorf("the inline policy is not JSON: %w", err)
	}
	var stmts []statement
	if err := json.Unmarshal(p.Statement, &stmts); err != nil {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return RankNone, "", fmt.Errorf("the inline policy's Statement is not a statement or a list of them: %w", err)
		}
		stmts = []statement{one}
	}
	for _, s := range stmts {
		if !strings.EqualFold(s.Effect, "Allow") {
			continue
		}
		if s.NotResource == nil && s.Resource != nil && !slices.Contains(s.Resource, "*") {
			continue // on some resources only
		}
		r, why := RankNone, ""
		switch {
		case s.Action != nil:
			for _, a := range s.Action {
				switch strings.ToLower(a) {
				case "*", "*:*":
					r, why = RankAdmin, "inline policy allows *"
				case "iam:*":
					if r < RankIAM {
						r, why = RankIAM, "inline policy allows iam:*"
					}
				}
			}
		case s.NotAction != nil:
			iamLeftOut, allIAM := false, false
			for _, a := range s.NotAction {
				switch la := strings.ToLower(a); {
				case la == "*" || la == "*:*" || la == "iam:*":
					allIAM = true
				case strings.HasPrefix(la, "iam:"):
					iamLeftOut = true
				}
			}
			except := strings.Join(s.NotAction, ", ")
			switch {
			case allIAM:
			case iamLeftOut:
				r, why = RankIAM, "inline policy allows IAM actions but "+except
			default:
				r, why = RankAdmin, "inline policy allows every action but "+except
			}
		}
		if r > rank {
			rank, reason = r, why
		}
	}
	return rank, reason, nil
}

// statement is the part of a policy statement the rule reads.
type statement struct {
	Effect      string
	Action      stringList
	NotAction   stringList
	Resource    stringList
	NotResource stringList
}

// stringList is a policy element that is a string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = append(stringList{}, many...)
	return nil
}

// ReadPrivilege reads one permission set's inline and managed policies and
// judges them (InlinePolicyPrivilege, ManagedPolicyPrivilege): two calls.
func ReadPrivilege(ctx context.Context, c PolicyReader, instanceArn, psArn string) (rank int, reasons []string, err error) {
	in, err := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &psArn})
	if err != nil {
		return 0, nil, fmt.Errorf("read the inline policy: %w", err)
	}
	r, why, err := InlinePolicyPrivilege(aws.ToString(in.InlinePolicy))
	if err != nil {
		return 0, nil, err
	}
	if r > RankNone {
		rank, reasons = r, append(reasons, why)
	}
	p := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(c, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &instanceArn, PermissionSetArn: &psArn})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, nil, fmt.Errorf("list the managed policies: %w", err)
		}
		for _, m := range page.AttachedManagedPolicies {
			if r, why := ManagedPolicyPrivilege(aws.ToString(m.Arn)); r > RankNone {
				rank, reasons = max(rank, r), append(reasons, why)
			}
		}
	}
	return rank, reasons, nil
}
