package sso

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ssoctl/ssoctl/internal/filelock"
	"github.com/ssoctl/ssoctl/internal/securefile"
)

// Cache files are shared with the AWS CLI v2 and the SDKs, and with other
// ssoctl processes running at the same moment. Every read-modify-write
// happens under an exclusive lock on a companion file (<name>.lock, removed
// when released: see filelock), and every write is a temporary file,
// fsync, then rename, so a reader sees the old file or the new one, never
// half of one. Plain reads take no lock.

// ErrCorrupt marks a cache file that exists but cannot be read as the JSON
// object it should be; callers treat it as absent.
var ErrCorrupt = errors.New("corrupt cache file")

// readObject reads a JSON object file. A missing file gives (nil, nil); a
// file that is not a JSON object gives an error wrapping ErrCorrupt.
func readObject(path string) (map[string]json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, path, err)
	}
	return m, nil
}

// writeAtomic writes data to path with mode 0600 in a folder of mode 0700
// (created so, or tightened: the AWS CLI creates its cache folders 0755):
// a temporary file beside it, fsync, rename.
func writeAtomic(path string, data []byte) error {
	if err := cacheDir(path); err != nil {
		return err
	}
	return securefile.Write(path, data)
}

// writeToken writes a token file as writeAtomic does, but renamed into
// place before it is flushed (securefile.WriteFirst): the refresh token
// in it may be one the server has just rotated, and a process killed before
// the rename would lose the session.
func writeToken(path string, t *Token) error {
	if err := cacheDir(path); err != nil {
		return err
	}
	return securefile.WriteFirst(path, t.encode())
}

// cacheDir makes sure path's folder exists with mode 0700.
func cacheDir(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(dir, 0o700)
	}
	return nil
}

// lockFile takes the exclusive lock that guards path (filelock: a
// companion lock file, removed when released), waiting as long as ctx
// allows.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return filelock.Lock(ctx, path)
}

// Time formats. The AWS CLI writes "%Y-%m-%dT%H:%M:%SZ"; older CLIs wrote
// "…UTC", the Go SDK writes RFC 3339, others add fractions or offsets.
const timeLayout = "2006-01-02T15:04:05Z"

var readLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05UTC",
	"2006-01-02T15:04:05.999999999UTC",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05",
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range readLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

// rawString decodes a JSON string member ("" when absent or not a string).
func rawString(m map[string]json.RawMessage, key string) string {
	var s string
	if v, ok := m[key]; ok {
		_ = json.Unmarshal(v, &s)
	}
	return s
}

// rawTime decodes a time member; absent gives the zero time.
func rawTime(m map[string]json.RawMessage, key string) (time.Time, error) {
	if _, ok := m[key]; !ok {
		return time.Time{}, nil
	}
	s := rawString(m, key)
	if s == "" {
		return time.Time{}, fmt.Errorf("%s is not a time string", key)
	}
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", key, err)
	}
	return t, nil
}

// orderedJSON writes the members of m: first the keys in order (those
// present), then the rest sorted, indent-free like the AWS CLI's files.
func orderedJSON(m map[string]json.RawMessage, order []string) []byte {
	var b strings.Builder
	b.WriteByte('{')
	seen := map[string]bool{}
	n := 0
	write := func(k string) {
		v, ok := m[k]
		if !ok || seen[k] {
			return
		}
		seen[k] = true
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.Write(raw(k))
		b.WriteString(": ")
		b.Write(v)
	}
	for _, k := range order {
		write(k)
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		write(k)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// raw encodes a string, string slice or number without HTML escaping.
func raw(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
