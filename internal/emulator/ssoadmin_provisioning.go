// sso-admin provisioning: ProvisionPermissionSet and its status, and which
// permission sets are provisioned to which accounts.

package emulator

import (
	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

func (s *Server) provisioningStatusJSON(r *asyncRequest) map[string]any {
	status, reason := s.shown(r)
	out := map[string]any{
		"Status": status, "RequestId": r.RequestId, "CreatedDate": awsproto.Epoch(r.Created),
		"PermissionSetArn": r.PermissionSetArn,
	}
	if r.TargetType == "AWS_ACCOUNT" {
		out["AccountId"] = r.TargetId
	}
	if reason != "" {
		out["FailureReason"] = reason
	}
	return out
}

func (s *Server) provisionPermissionSet(in *struct {
	psRef
	TargetType string
	TargetId   string
}) (any, error) {
	if err := checkEnum("targetType", in.TargetType, "AWS_ACCOUNT", "ALL_PROVISIONED_ACCOUNTS"); err != nil {
		return nil, err
	}
	if in.TargetType == "AWS_ACCOUNT" || in.TargetId != "" {
		if err := checkAccountID("targetId", in.TargetId); err != nil {
			return nil, err
		}
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	r := &asyncRequest{Kind: kindProvision, InstanceArn: ps.InstanceArn, PermissionSetArn: ps.Arn, TargetType: in.TargetType}
	psArn := ps.Arn
	if in.TargetType == "AWS_ACCOUNT" {
		r.TargetId = in.TargetId
		if !s.st.accounts.Has(in.TargetId) {
			r.fail = "AWS account " + in.TargetId + " is not a member of the organization."
		}
		acct := in.TargetId
		r.run = func() string {
			ps := s.st.psByArn[psArn]
			if ps == nil {
				return ""
			}
			if reason := s.missingPolicy(ps, acct); reason != "" {
				return reason
			}
			s.st.provision(psArn, acct, false)
			return ""
		}
	} else {
		// Every account the set is provisioned to; one that lacks a policy
		// the set references keeps its old version, and the request fails
		// with the first such account's reason.
		r.run = func() string {
			ps := s.st.psByArn[psArn]
			if ps == nil {
				return ""
			}
			failed := ""
			for _, p := range empty(s.st.provByPS, psArn).Values() {
				if reason := s.missingPolicy(ps, p.AccountId); reason != "" {
					if failed == "" {
						failed = reason
					}
					continue
				}
				p.Outdated = false
			}
			return failed
		}
	}
	s.startRequest(r)
	return map[string]any{"PermissionSetProvisioningStatus": s.provisioningStatusJSON(r)}, nil
}

func (s *Server) describeProvisioningStatus(in *struct {
	InstanceArn                     string
	ProvisionPermissionSetRequestId string
}) (any, error) {
	r, err := s.request(kindProvision, in.InstanceArn, "provisionPermissionSetRequestId", in.ProvisionPermissionSetRequestId)
	if err != nil {
		return nil, err
	}
	s.poll(r)
	return map[string]any{"PermissionSetProvisioningStatus": s.provisioningStatusJSON(r)}, nil
}

func (s *Server) listProvisioningStatus(in *statusListInput) (any, error) {
	page, next, err := s.statusPage(kindProvision, "ListPermissionSetProvisioningStatus", in)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{"PermissionSetsProvisioningStatus": page}, next), nil
}

// provisionFilter turns a ProvisioningStatus filter into a predicate (nil:
// no filter).
func provisionFilter(status string) (func(*Provision) bool, error) {
	switch status {
	case "":
		return nil, nil
	case "LATEST_PERMISSION_SET_PROVISIONED":
		return func(p *Provision) bool { return !p.Outdated }, nil
	case "LATEST_PERMISSION_SET_NOT_PROVISIONED":
		return func(p *Provision) bool { return p.Outdated }, nil
	}
	return nil, checkEnum("provisioningStatus", status, "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED")
}

func (s *Server) listAccountsForProvisioned(in *struct {
	psRef
	ProvisioningStatus string
	ssoPage
}) (any, error) {
	keep, err := provisionFilter(in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	ps, err := s.permissionSet(in.psRef)
	if err != nil {
		return nil, err
	}
	x := empty(s.st.provByPS, ps.Arn)
	if keep != nil {
		x = filtered(x, keep)
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListAccountsForProvisionedPermissionSet", ps.Arn, in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page))
	for _, p := range page {
		ids = append(ids, p.AccountId)
	}
	return withNext(map[string]any{"AccountIds": ids}, next), nil
}

func (s *Server) listProvisionedToAccount(in *struct {
	InstanceArn        string
	AccountId          string
	ProvisioningStatus string
	ssoPage
}) (any, error) {
	if err := checkInstanceArn(in.InstanceArn); err != nil {
		return nil, err
	}
	if err := checkAccountID("accountId", in.AccountId); err != nil {
		return nil, err
	}
	keep, err := provisionFilter(in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := s.instance(in.InstanceArn); err != nil {
		return nil, err
	}
	x := empty(s.st.provByAccount, key(in.InstanceArn, in.AccountId))
	if keep != nil {
		x = filtered(x, keep)
	}
	page, next, err := ssoPaginate(x, in.ssoPage, "ListPermissionSetsProvisionedToAccount", in.InstanceArn, in.AccountId, in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	arns := make([]string, 0, len(page))
	for _, p := range page {
		arns = append(arns, p.PermissionSetArn)
	}
	return withNext(map[string]any{"PermissionSets": arns}, next), nil
}
