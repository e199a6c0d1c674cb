package emulator

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Trust policies: sts AssumeRole assumes a role only for a caller its trust
// policy names. The sandbox evaluates the Principal (account ids and their
// root ARNs, user and role ARNs, an assumed-role session ARN, "*"), the
// Action, and the conditions on sts:ExternalId, aws:PrincipalAccount and
// aws:PrincipalArn with the String and Arn operators; a statement with any
// other condition does not apply. Identity policies are not evaluated: a
// trust policy naming an account lets every principal of that account in.

// DeployRole is the role the demo organizations give every member account
// beside OrganizationAccountAccessRole: trusting its own account, so that
// the Identity Center roles of that account may hop into it.
const DeployRole = "DeployRole"

// DemoRoles are the roles of the demo organizations: in every member
// account, OrganizationAccountAccessRole trusting the management account
// (as AWS Organizations creates it) and DeployRole trusting the account
// itself. The management account has neither, but has SchedulerRole,
// which EventBridge Scheduler may assume for the account's schedules.
func DemoRoles(st *State) []IAMRole {
	mgmt := st.Organization.MasterAccountId
	var roles []IAMRole
	for _, a := range st.Accounts {
		if a.Id == mgmt {
			roles = append(roles, IAMRole{
				AccountId: a.Id, RoleName: SchedulerRole, RoleId: iamStableID("AROA", a.Id, SchedulerRole), Path: "/",
				TrustPolicy: TrustScheduler(a.Id), Created: a.Joined,
			})
			continue
		}
		for _, r := range []struct{ name, trusted string }{{OrganizationAccountAccessRole, mgmt}, {DeployRole, a.Id}} {
			roles = append(roles, IAMRole{
				AccountId: a.Id, RoleName: r.name, RoleId: iamStableID("AROA", a.Id, r.name), Path: "/",
				TrustPolicy: TrustAccount(r.trusted), Created: a.Joined,
			})
		}
	}
	return roles
}

// TrustAccount is a trust policy that lets the principals of an account
// assume the role.
func TrustAccount(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
}

// oneOrMany is a policy element that may be one value or a list of them.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	var one T
	if err := json.Unmarshal(b, &one); err == nil {
		*o = oneOrMany[T]{one}
		return nil
	}
	var many []T
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*o = many
	return nil
}

// principal is a policy's Principal: "*" or principals by kind (AWS,
// Service, Federated).
type principal struct {
	any   bool
	kinds map[string]oneOrMany[string]
}

func (p *principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		p.any = star == "*"
		return nil
	}
	return json.Unmarshal(b, &p.kinds)
}

type policyStatement struct {
	Effect    string
	Principal *principal
	Action    oneOrMany[string]
	Condition map[string]map[string]oneOrMany[string]
}

type policyDocument struct {
	Statement oneOrMany[policyStatement]
}

// trusts says whether a trust policy lets caller call action (with the
// request's condition keys, lower-case): some Allow statement matches and no
// Deny does. A document that does not parse trusts nobody.
func trusts(doc string, caller callerIdentity, action string, keys map[string]string) bool {
	var d policyDocument
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return false
	}
	allowed := false
	for _, st := range d.Statement {
		if st.Principal == nil || !st.Principal.matches(caller) || !anyGlob(st.Action, action, true) || !conditionsHold(st.Condition, keys) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// trustsService says whether a trust policy lets an AWS service principal
// (scheduler.amazonaws.com) assume the role, with the request's condition
// keys (lower-case: aws:sourceaccount, aws:sourcearn).
func trustsService(doc, service string, keys map[string]string) bool {
	var d policyDocument
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return false
	}
	allowed := false
	for _, st := range d.Statement {
		if st.Principal == nil || !st.Principal.namesService(service) || !anyGlob(st.Action, "sts:AssumeRole", true) || !conditionsHold(st.Condition, keys) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// namesService says whether the principal is "*" or names the service.
func (p *principal) namesService(service string) bool {
	return p.any || anyEqual(p.kinds["Service"], service, false)
}

// matches says whether the principal names the caller: "*", the caller's
// account (its id or root ARN), its user or role ARN, or its session ARN.
func (p *principal) matches(c callerIdentity) bool {
	if p.any {
		return true
	}
	for _, v := range p.kinds["AWS"] {
		switch {
		case v == "*", v == c.Account, v == "arn:aws:iam::"+c.Account+":root":
			return true
		case v == c.Principal, v == c.Arn:
			return true
		}
	}
	return false
}

// conditionsHold evaluates a statement's Condition block: every operator,
// every key, some value each. The String, Arn and Date operators are known,
// each also with IfExists (which holds when the request has no such key);
// an operator or key the sandbox does not know makes the statement not
// apply.
func conditionsHold(cond map[string]map[string]oneOrMany[string], keys map[string]string) bool {
	for fullOp, byKey := range cond {
		op, ifExists := strings.CutSuffix(fullOp, "IfExists")
		for k, values := range byKey {
			v, present := keys[strings.ToLower(k)]
			if !present && ifExists {
				continue
			}
			if holds, ok := dateCondition(op, v, values); ok {
				if present && !holds || !present && op != "DateNotEquals" {
					return false
				}
				continue
			}
			switch op {
			case "StringEquals", "ArnEquals":
				if !present || !anyEqual(values, v, false) {
					return false
				}
			case "StringEqualsIgnoreCase":
				if !present || !anyEqual(values, v, true) {
					return false
				}
			case "StringLike", "ArnLike":
				if !present || !anyGlob(values, v, false) {
					return false
				}
			case "StringNotEquals", "ArnNotEquals":
				if present && anyEqual(values, v, false) {
					return false
				}
			case "StringNotLike", "ArnNotLike":
				if present && anyGlob(values, v, false) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

func anyEqual(patterns []string, v string, fold bool) bool {
	for _, p := range patterns {
		if p == v || fold && strings.EqualFold(p, v) {
			return true
		}
	}
	return false
}

// anyGlob says whether v matches one of the patterns, where * is any run
// of characters and ? any one (without regard to case if fold: actions).
func anyGlob(patterns []string, v string, fold bool) bool {
	for _, p := range patterns {
		var re strings.Builder
		re.WriteString("(?s)^")
		if fold {
			re.WriteString("(?i)")
		}
		for _, part := range strings.SplitAfter(p, "") {
			switch part {
			case "*":
				re.WriteString(".*")
			case "?":
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(part))
			}
		}
		re.WriteString("$")
		if ok, _ := regexp.MatchString(re.String(), v); ok {
			return true
		}
	}
	return false
}
