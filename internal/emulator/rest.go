package emulator

// restRoutes lists the path-routed operations (portal, OIDC, sesv2, s3).
func (s *Server) restRoutes() []restRouteEntry {
	return nil
}
