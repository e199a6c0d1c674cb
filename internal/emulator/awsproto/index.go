package awsproto

import (
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
)

// Index is an ordered map: items by key, and the keys kept sorted so that a
// page is a binary search plus a slice, never a scan of the whole table.
type Index[T any] struct {
	items map[string]T
	keys  []string
}

// NewIndex returns an empty Index.
func NewIndex[T any]() *Index[T] { return &Index[T]{items: map[string]T{}} }

// Get returns the value stored under k.
func (x *Index[T]) Get(k string) (T, bool) {
	v, ok := x.items[k]
	return v, ok
}

// Has reports whether k is stored.
func (x *Index[T]) Has(k string) bool { _, ok := x.items[k]; return ok }

// Len is the number of entries.
func (x *Index[T]) Len() int { return len(x.keys) }

// Put inserts or replaces. Appending in key order (as the generators do) is
// O(1); anything else is a binary-search insertion.
func (x *Index[T]) Put(k string, v T) {
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

// Del removes k.
func (x *Index[T]) Del(k string) {
	if _, ok := x.items[k]; !ok {
		return
	}
	delete(x.items, k)
	i := sort.SearchStrings(x.keys, k)
	if i < len(x.keys) && x.keys[i] == k {
		x.keys = slices.Delete(x.keys, i, i+1)
	}
}

// Keys returns the keys in sorted order. The slice is the index's own:
// callers must not modify it.
func (x *Index[T]) Keys() []string { return x.keys }

// Values returns every value in key order.
func (x *Index[T]) Values() []T {
	out := make([]T, 0, len(x.keys))
	for _, k := range x.keys {
		out = append(out, x.items[k])
	}
	return out
}

// PageAfter returns up to n values whose keys sort after `after`, and the key
// to continue from ("" when this was the last page).
func (x *Index[T]) PageAfter(after string, n int) ([]T, string) {
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

// ScopeHash names a list (the request's scope) for its page tokens.
func ScopeHash(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// EncodeToken makes an opaque token. Base64 (standard alphabet) keeps it
// inside the model pattern [-a-zA-Z0-9+=/_]*.
func EncodeToken(scope, after string) string {
	if after == "" {
		return ""
	}
	b, _ := json.Marshal(pageToken{Scope: scope, After: after})
	return base64.StdEncoding.EncodeToString(b)
}

// DecodeToken returns the key to continue after, or an error when the token
// was not issued for this list.
func DecodeToken(scope, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return "", ErrInvalidToken
	}
	var p pageToken
	if err := json.Unmarshal(b, &p); err != nil || p.Scope != scope || p.After == "" {
		return "", ErrInvalidToken
	}
	return p.After, nil
}

// Paginate serves one page of x for a request with the given scope, token and
// MaxResults (0 means the service default), capped at the service maximum.
func Paginate[T any](x *Index[T], scope, tok string, maxResults, def, capN int) ([]T, string, error) {
	after, err := DecodeToken(scope, tok)
	if err != nil {
		return nil, "", err
	}
	n := maxResults
	if n <= 0 {
		n = def
	}
	n = min(n, capN)
	vals, last := x.PageAfter(after, n)
	return vals, EncodeToken(scope, last), nil
}
