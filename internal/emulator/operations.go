package emulator

import (
	"cmp"
	"slices"
)

// Operation is one operation the sandbox serves, named as its stats count
// it: the SDK client name of the service and the operation.
type Operation struct {
	Service string
	Name    string
	// Page is true for the browser pages of the sign-in flows and the
	// console's federation endpoint: the sandbox serves them, but they are
	// not operations of any AWS API model.
	Page bool
}

// isPage tells the routes that are not API operations.
func isPage(svc, op string) bool {
	switch svc + ":" + op {
	case "sso-oidc:Authorize", // the PKCE flow's browser page
		"sso-oidc:DevicePage", // the device flow's verification page
		"sso:StartPage",       // the access portal's start URL
		"signin:Federation":   // the console federation endpoint (getSigninToken, login)
		return true
	}
	return false
}

// Operations lists every operation the sandbox routes, sorted by service
// and name: the awsJson services by target, the query services by action,
// and the path-routed ones.
func (s *Server) Operations() []Operation {
	seen := map[Operation]bool{}
	add := func(svc, op string) {
		seen[Operation{Service: svc, Name: op, Page: isPage(svc, op)}] = true
	}
	for svc, ops := range s.ops {
		for op := range ops {
			add(svc, op)
		}
	}
	for svc, q := range s.query {
		for op := range q.ops {
			add(svc, op)
		}
		for op := range q.writes {
			add(svc, op)
		}
	}
	for _, rt := range s.rest {
		add(rt.service, rt.op)
	}
	out := make([]Operation, 0, len(seen))
	for op := range seen {
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b Operation) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Name, b.Name))
	})
	return out
}
