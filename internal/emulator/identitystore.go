package emulator

func (s *Server) identityStoreOps() map[string]opHandler {
	return map[string]opHandler{}
}
