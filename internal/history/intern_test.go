package history

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestInterner: every string interned keeps its index and bytes across
// chunk boundaries, strings longer than a chunk's quarter and strings
// whose hashes collide (forced here by passing one hash for several).
func TestInterner(t *testing.T) {
	in := newInterner()
	var keys []string
	for i := range 20000 {
		keys = append(keys, fmt.Sprintf("9067%06d-1e60d52c-4a80-412e-a90f-7247de4ceafc", i))
	}
	keys = append(keys, "", strings.Repeat("x", internChunk/4+1), strings.Repeat("y", 3*internChunk))
	idx := map[string]int32{}
	for _, k := range keys {
		h := in.hash(k)
		if _, ok := in.find(k, h); ok {
			t.Fatalf("%.20q found before it was added", k)
		}
		idx[k] = in.add(k, h)
	}
	// Three strings sharing one hash with each other (and with none above).
	const shared = 42
	for _, k := range []string{"a", "b", "c"} {
		if _, ok := in.find(k, shared); ok {
			t.Fatalf("%q found before it was added", k)
		}
		idx[k] = in.add(k, shared)
		keys = append(keys, k)
	}
	if in.len() != len(keys) {
		t.Fatalf("len %d; want %d", in.len(), len(keys))
	}
	for _, k := range keys {
		h := in.hash(k)
		if k == "a" || k == "b" || k == "c" {
			h = shared
		}
		i, ok := in.find(k, h)
		if !ok || i != idx[k] {
			t.Fatalf("find(%.20q) = %d, %v; want %d", k, i, ok, idx[k])
		}
		if got := string(in.key(i)); got != k {
			t.Fatalf("key(%d) = %.20q; want %.20q", i, got, k)
		}
	}
	if _, ok := in.find("d", shared); ok {
		t.Fatal("a string never added was found on a shared hash's chain")
	}

	// Stored bytes stay as they were while more are stored after them.
	var spans []span
	var want [][]byte
	for i := range 5000 {
		b := bytes.Repeat([]byte{byte(i)}, i%97)
		spans = append(spans, in.store(b))
		want = append(want, b)
	}
	for i, s := range spans {
		if got := in.bytes(s); !bytes.Equal(got, want[i]) {
			t.Fatalf("bytes of store %d changed", i)
		}
		if cap(in.bytes(s)) != len(want[i]) {
			t.Fatalf("bytes of store %d can be appended to in place", i)
		}
	}
}
