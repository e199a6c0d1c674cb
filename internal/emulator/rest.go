package emulator

import (
	"net/http"
	"regexp"
)

// restRoutes lists the path-routed operations (portal, OIDC, sesv2, s3).
// Only sesv2 and s3 are SigV4-signed: sign-in (sso-oidc), the portal (its
// bearer token header) and the console's federation endpoint are not, on
// AWS either.
func (s *Server) restRoutes() []restRouteEntry {
	return append([]restRouteEntry{
		// sso-oidc
		restRoute(http.MethodPost, "sso-oidc", "RegisterClient", "/client/register", s.registerClient),
		restRoute(http.MethodPost, "sso-oidc", "StartDeviceAuthorization", "/device_authorization", s.startDeviceAuthorization),
		restRoute(http.MethodPost, "sso-oidc", "CreateToken", "/token", s.createToken),
		// Browser pages of the sign-in flows; not API operations, counted
		// under the service they belong to.
		restRoute(http.MethodGet, "sso-oidc", "Authorize", "/authorize", s.authorize),
		restRoute(http.MethodGet, "sso-oidc", "DevicePage", "/device", s.devicePage),
		restRoute(http.MethodGet, "sso", "StartPage", "/start", s.startPage),
		// sso (the access portal)
		restRoute(http.MethodGet, "sso", "ListAccounts", "/assignment/accounts", s.listAccounts),
		restRoute(http.MethodGet, "sso", "ListAccountRoles", "/assignment/roles", s.listAccountRoles),
		restRoute(http.MethodGet, "sso", "GetRoleCredentials", "/federation/credentials", s.getRoleCredentials),
		restRoute(http.MethodPost, "sso", "Logout", "/logout", s.logout),
		// sesv2
		signed(restRoute(http.MethodPost, "sesv2", "SendEmail", "/v2/email/outbound-emails", s.sendEmail)),
		signed(restRoute(http.MethodGet, "sesv2", "GetAccount", "/v2/email/account", s.getSESAccount)),
		signed(restRoute(http.MethodGet, "sesv2", "ListEmailIdentities", "/v2/email/identities", s.listEmailIdentities)),
		signed(restRoute(http.MethodPost, "sesv2", "ListEmailIdentities", "/v2/email/list-identities", s.listEmailIdentities)),
		signed(restRoute(http.MethodPost, "sesv2", "CreateEmailIdentity", "/v2/email/identities", s.createEmailIdentity)),
		signed(restPattern(http.MethodGet, "sesv2", "GetEmailIdentity", `^/v2/email/identities/[^/]+$`, s.getEmailIdentity)),
		signed(restPattern(http.MethodDelete, "sesv2", "DeleteEmailIdentity", `^/v2/email/identities/[^/]+$`, s.deleteEmailIdentity)),
		// the console's federation endpoint (signin): GET or a form POST
		restRoute(http.MethodGet, "signin", "Federation", "/federation", s.federation),
		restRoute(http.MethodPost, "signin", "Federation", "/federation", s.federation),
		// s3, path-style, told apart from other GET / by its SigV4 scope
		signed(scoped("s3", restRoute(http.MethodGet, "s3", "ListBuckets", "/", s.listBuckets))),
	}, s.schedulerRoutes()...)
}

// signed marks a route whose requests must carry a valid SigV4 signature.
func signed(rt restRouteEntry) restRouteEntry {
	rt.signed = true
	return rt
}

func scoped(service string, rt restRouteEntry) restRouteEntry {
	rt.scope = service
	return rt
}

// restPattern matches one method and a path pattern.
func restPattern(method, service, op, pattern string, h restHandler) restRouteEntry {
	return restRouteEntry{method: method, service: service, op: op, path: regexp.MustCompile(pattern), h: h}
}

// restRoute matches one method and path (a trailing slash allowed).
func restRoute(method, service, op, path string, h restHandler) restRouteEntry {
	return restRouteEntry{
		method: method, service: service, op: op,
		path: regexp.MustCompile("^" + regexp.QuoteMeta(path) + "/?$"),
		h:    h,
	}
}
