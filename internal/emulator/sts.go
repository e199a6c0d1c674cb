package emulator

import "net/url"

func (s *Server) stsOps() map[string]queryHandler {
	return map[string]queryHandler{
		"GetCallerIdentity": func(_ url.Values, c callerIdentity) (any, error) {
			return struct {
				UserId  string `xml:"UserId"`
				Account string `xml:"Account"`
				Arn     string `xml:"Arn"`
			}{c.UserId, c.Account, c.Arn}, nil
		},
	}
}
