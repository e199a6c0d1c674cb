package emulator

import (
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
)

// index is an ordered map: items by key, and the keys kept sorted so that a
// page is a binary search plus a slice, never a scan of the whole table.
type index[T any] struct {
	items map[string]T
	keys  []string
}

func newIndex[T any]() *index[T] { return &index[T]{items: map[string]T{}} }

func (x *index[T]) get(k string) (T, bool) {
	v, ok := x.items[k]
	return v, ok
}

func (x *index[T]) has(k string) bool { _, ok := x.items[k]; return ok }

func (x *index[T]) len() int { return len(x.keys) }

// put inserts or replaces. Appending in key order (as the generators do) is
// O(1); anything else is a binary-search insertion.
func (x *index[T]) put(k string, v T) {
	if _, ok := x.items[k]; ok {
		x.items[k] = v
		return
	}
	x.items[k] = v
	if n := len(x.keys); n == 0 || x.keys[n-1] < k {
		x.keys = append(x.keys, k)
		return
	}
	i := sort.SearchStrings(x.keys, k)
	x.keys = slices.Insert(x.keys, i, k)
}

func (x *index[T]) del(k string) {
	if _, ok := x.items[k]; !ok {
		return
	}
	delete(x.items, k)
	i := sort.SearchStrings(x.keys, k)
	if i < len(x.keys) && x.keys[i] == k {
		x.keys = slices.Delete(x.keys, i, i+1)
	}
}

// values returns every value in key order.
func (x *index[T]) values() []T {
	out := make([]T, 0, len(x.keys))
	for _, k := range x.keys {
		out = append(out, x.items[k])
	}
	return out
}

// pageAfter returns up to n values whose keys sort after `after`, and the key
// to continue from ("" when this was the last page).
func (x *index[T]) pageAfter(after string, n int) ([]T, string) {
	i := 0
	if after != "" {
		i = sort.Search(len(x.keys), func(j int) bool { return x.keys[j] > after })
	}
	end := min(i+n, len(x.keys))
	out := make([]T, 0, end-i)
	for _, k := range x.keys[i:end] {
		out = append(out, x.items[k])
	}
	if end < len(x.keys) && end > i {
		return out, x.keys[end-1]
	}
	return out, ""
}

// pageToken is what an opaque NextToken carries: the list it belongs to
// (a hash of the request's scope) and the last key served.
type pageToken struct {
	Scope string `json:"s"`
	After string `json:"a"`
}

func scopeHash(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// encodeToken makes an opaque token. Base64 (standard alphabet) keeps it
// inside the model pattern [-a-zA-Z0-9+=/_]*.
func encodeToken(scope, after string) string {
	if after == "" {
		return ""
	}
	b, _ := json.Marshal(pageToken{Scope: scope, After: after})
	return base64.StdEncoding.EncodeToString(b)
}

// decodeToken returns the key to continue after, or an error when the token
// was not issued for this list.
func decodeToken(scope, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return "", errInvalidToken
	}
	var p pageToken
	if err := json.Unmarshal(b, &p); err != nil || p.Scope != scope || p.After == "" {
		return "", errInvalidToken
	}
	return p.After, nil
}

// paginate serves one page of x for a request with the given scope, token and
// MaxResults (0 means the service default), capped at the service maximum.
func paginate[T any](x *index[T], scope, tok string, maxResults, def, capN int) ([]T, string, error) {
	after, err := decodeToken(scope, tok)
	if err != nil {
		return nil, "", err
	}
	n := maxResults
	if n <= 0 {
		n = def
	}
	n = min(n, capN)
	vals, last := x.pageAfter(after, n)
	return vals, encodeToken(scope, last), nil
}
