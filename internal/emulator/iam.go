package emulator

func (s *Server) iamOps() map[string]queryHandler {
	return map[string]queryHandler{}
}
