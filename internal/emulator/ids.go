package emulator

import (
	"fmt"
	"math/rand/v2"
)

// The sandbox draws every new id from one seeded generator, so a run with a
// given --seed hands out the same ids.

func (s *Server) chance(p float64) bool {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < p
}

func (s *Server) hex(n int) string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return randHex(s.rng, n)
}

func (s *Server) uuid() string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return randUUID(s.rng)
}

// digits returns n random decimal digits.
func (s *Server) digits(n int) string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	return string(b)
}

func randHex(r *rand.Rand, n int) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hexdigits[r.IntN(16)]
	}
	return string(b)
}

// randUUID is a version-4 UUID, lower case, as AWS request ids are.
func randUUID(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = (a &^ (0xf << 12)) | (0x4 << 12)
	b = (b &^ (0x3 << 62)) | (0x2 << 62)
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// principalID is an identity-store user, group or membership id:
// <10 hex>-<uuid>, as Identity Center issues them.
func principalID(r *rand.Rand) string { return randHex(r, 10) + "-" + randUUID(r) }

func (s *Server) principalID() string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return principalID(s.rng)
}

// accessKeyID is an AKIA/ASIA-style key id of 20 characters.
func (s *Server) accessKeyID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := []byte(prefix)
	for len(b) < 20 {
		b = append(b, alphabet[s.rng.IntN(len(alphabet))])
	}
	return string(b)
}

// secret returns n random characters for secrets and opaque tokens.
func (s *Server) secret(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}
