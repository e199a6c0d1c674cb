package emulator

func (s *Server) ssoAdminOps() map[string]opHandler {
	return map[string]opHandler{}
}
