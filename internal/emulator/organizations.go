package emulator

import (
	"regexp"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// Organizations serves pages of at most 20; empty pages never happen here,
// though AWS may send them.
const orgPageMax = 20

var (
	reParentID = awsproto.LazyRegexp(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	reOUID     = awsproto.LazyRegexp(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	reChildID  = awsproto.LazyRegexp(`^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
)

func orgInvalid(reason, msg string) *awsproto.Error {
	return awsproto.Err(400, "InvalidInputException", "%s", msg).With("Reason", reason)
}

func orgCheck(member, v string, re *regexp.Regexp) error {
	if v == "" {
		// INPUT_REQUIRED is the model's reason for a missing member.
		return orgInvalid("INPUT_REQUIRED", "You must specify a value for "+member+".")
	}
	if !re.MatchString(v) {
		return orgInvalid("INVALID_PATTERN", "You specified an invalid value for "+member+".")
	}
	return nil
}

func orgMax(v int) error {
	if v != 0 && (v < 1 || v > orgPageMax) {
		return orgInvalid("MAX_LIMIT_EXCEEDED_FILTER", "MaxResults must be between 1 and 20.")
	}
	return nil
}

type orgPage struct {
	NextToken  string `json:"NextToken,omitempty"`
	MaxResults int    `json:"MaxResults,omitempty"`
}

func orgAccountJSON(a *Account) map[string]any {
	// State only: AWS retired the account's Status on 2026-09-09.
	return map[string]any{
		"Id": a.Id, "Arn": a.Arn, "Email": a.Email, "Name": a.Name,
		"State":        a.State,
		"JoinedMethod": a.JoinedMethod, "JoinedTimestamp": awsproto.Epoch(a.Joined),
	}
}

func ouJSON(o *OrgUnit) map[string]any {
	return map[string]any{"Id": o.Id, "Arn": o.Arn, "Name": o.Name}
}

func (s *Server) orgInUse() error {
	if s.st.org.Id == "" {
		return awsproto.Err(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	return nil
}

func (s *Server) parentExists(id string) bool { return s.st.roots.Has(id) || s.st.ous.Has(id) }

func (s *Server) organizationsOps() map[string]opHandler {
	return map[string]opHandler{
		"DescribeOrganization":             jsonOp(false, s.orgDescribeOrganization),
		"ListAccounts":                     jsonOp(false, s.orgListAccounts),
		"DescribeAccount":                  jsonOp(false, s.orgDescribeAccount),
		"ListRoots":                        jsonOp(false, s.orgListRoots),
		"ListAccountsForParent":            jsonOp(false, s.orgListAccountsForParent),
		"ListOrganizationalUnitsForParent": jsonOp(false, s.orgListOrganizationalUnitsForParent),
		"ListChildren":                     jsonOp(false, s.orgListChildren),
		"ListParents":                      jsonOp(false, s.orgListParents),
		"DescribeOrganizationalUnit":       jsonOp(false, s.orgDescribeOrganizationalUnit),
	}
}

// The organizations operations, one method each (named org + the operation).
func (s *Server) orgDescribeOrganization(_ *struct{}) (any, error) {
	if err := s.orgInUse(); err != nil {
		return nil, err
	}
	o := s.st.org
	return map[string]any{"Organization": map[string]any{
		"Id": o.Id, "Arn": o.Arn, "FeatureSet": o.FeatureSet,
		"MasterAccountArn":     "arn:aws:organizations::" + o.MasterAccountId + ":account/" + o.Id + "/" + o.MasterAccountId,
		"MasterAccountId":      o.MasterAccountId,
		"MasterAccountEmail":   o.MasterAccountEmail,
		"AvailablePolicyTypes": []map[string]string{},
	}}, nil
}

func (s *Server) orgListAccounts(in *orgPage) (any, error) {
	if err := orgMax(in.MaxResults); err != nil {
		return nil, err
	}
	page, next, err := awsproto.Paginate(s.st.accounts, "accounts", in.NextToken, in.MaxResults, orgPageMax, orgPageMax)
	if err != nil {
		return nil, orgInvalid("INVALID_PAGINATION_TOKEN", "The NextToken is invalid.")
	}
	return orgAccounts(page, next), nil
}

func (s *Server) orgDescribeAccount(in *struct{ AccountId string }) (any, error) {
	if err := orgCheck("AccountId", in.AccountId, reAccountID()); err != nil {
		return nil, err
	}
	a, ok := s.st.accounts.Get(in.AccountId)
	if !ok {
		return nil, awsproto.Err(400, "AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	return map[string]any{"Account": orgAccountJSON(a)}, nil
}

func (s *Server) orgListRoots(in *orgPage) (any, error) {
	if err := orgMax(in.MaxResults); err != nil {
		return nil, err
	}
	page, next, err := awsproto.Paginate(s.st.roots, "roots", in.NextToken, in.MaxResults, orgPageMax, orgPageMax)
	if err != nil {
		return nil, orgInvalid("INVALID_PAGINATION_TOKEN", "The NextToken is invalid.")
	}
	roots := []map[string]any{}
	for _, r := range page {
		roots = append(roots, map[string]any{"Id": r.Id, "Arn": r.Arn, "Name": r.Name,
			"PolicyTypes": []map[string]string{{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}}})
	}
	return withNext(map[string]any{"Roots": roots}, next), nil
}

func (s *Server) orgListAccountsForParent(in *struct {
	ParentId string
	orgPage
}) (any, error) {
	if err := s.checkParent(in.ParentId, in.MaxResults); err != nil {
		return nil, err
	}
	page, next, err := awsproto.Paginate(empty(s.st.accountsByParent, in.ParentId), "afp|"+in.ParentId, in.NextToken, in.MaxResults, orgPageMax, orgPageMax)
	if err != nil {
		return nil, orgInvalid("INVALID_PAGINATION_TOKEN", "The NextToken is invalid.")
	}
	return orgAccounts(page, next), nil
}

func (s *Server) orgListOrganizationalUnitsForParent(in *struct {
	ParentId string
	orgPage
}) (any, error) {
	if err := s.checkParent(in.ParentId, in.MaxResults); err != nil {
		return nil, err
	}
	page, next, err := awsproto.Paginate(empty(s.st.ousByParent, in.ParentId), "ofp|"+in.ParentId, in.NextToken, in.MaxResults, orgPageMax, orgPageMax)
	if err != nil {
		return nil, orgInvalid("INVALID_PAGINATION_TOKEN", "The NextToken is invalid.")
	}
	ous := []map[string]any{}
	for _, o := range page {
		ous = append(ous, ouJSON(o))
	}
	return withNext(map[string]any{"OrganizationalUnits": ous}, next), nil
}

func (s *Server) orgListChildren(in *struct {
	ParentId  string
	ChildType string
	orgPage
}) (any, error) {
	if err := s.checkParent(in.ParentId, in.MaxResults); err != nil {
		return nil, err
	}
	var ids []string
	switch in.ChildType {
	case "ACCOUNT":
		ids = empty(s.st.accountsByParent, in.ParentId).Keys()
	case "ORGANIZATIONAL_UNIT":
		ids = empty(s.st.ousByParent, in.ParentId).Keys()
	default:
		return nil, orgInvalid("INVALID_ENUM", "You specified an invalid value for ChildType.")
	}
	x := awsproto.NewIndex[string]()
	for _, id := range ids {
		x.Put(id, id)
	}
	page, next, err := awsproto.Paginate(x, "ch|"+in.ChildType+"|"+in.ParentId, in.NextToken, in.MaxResults, orgPageMax, orgPageMax)
	if err != nil {
		return nil, orgInvalid("INVALID_PAGINATION_TOKEN", "The NextToken is invalid.")
	}
	children := []map[string]string{}
	for _, id := range page {
		children = append(children, map[string]string{"Id": id, "Type": in.ChildType})
	}
	return withNext(map[string]any{"Children": children}, next), nil
}

func (s *Server) orgListParents(in *struct {
	ChildId string
	orgPage
}) (any, error) {
	if err := orgCheck("ChildId", in.ChildId, reChildID()); err != nil {
		return nil, err
	}
	if err := orgMax(in.MaxResults); err != nil {
		return nil, err
	}
	var parent string
	if a, ok := s.st.accounts.Get(in.ChildId); ok {
		parent = a.ParentId
	} else if o, ok := s.st.ous.Get(in.ChildId); ok {
		parent = o.ParentId
	} else {
		return nil, awsproto.Err(400, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := "ORGANIZATIONAL_UNIT"
	if strings.HasPrefix(parent, "r-") {
		typ = "ROOT"
	}
	return map[string]any{"Parents": []map[string]string{{"Id": parent, "Type": typ}}}, nil
}

func (s *Server) orgDescribeOrganizationalUnit(in *struct{ OrganizationalUnitId string }) (any, error) {
	if err := orgCheck("OrganizationalUnitId", in.OrganizationalUnitId, reOUID()); err != nil {
		return nil, err
	}
	o, ok := s.st.ous.Get(in.OrganizationalUnitId)
	if !ok {
		return nil, awsproto.Err(400, "OrganizationalUnitNotFoundException", "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified.")
	}
	return map[string]any{"OrganizationalUnit": ouJSON(o)}, nil
}

func (s *Server) checkParent(id string, maxResults int) error {
	if err := orgCheck("ParentId", id, reParentID()); err != nil {
		return err
	}
	if err := orgMax(maxResults); err != nil {
		return err
	}
	if !s.parentExists(id) {
		return awsproto.Err(400, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return nil
}

func orgAccounts(page []*Account, next string) map[string]any {
	accts := make([]map[string]any, 0, len(page))
	for _, a := range page {
		accts = append(accts, orgAccountJSON(a))
	}
	return withNext(map[string]any{"Accounts": accts}, next)
}

// withNext adds NextToken to an output when there is another page.
func withNext(out map[string]any, next string) map[string]any {
	if next != "" {
		out["NextToken"] = next
	}
	return out
}
