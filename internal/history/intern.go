package history

import "hash/maphash"

// interner gives each distinct string a dense index and keeps the strings,
// and whatever bytes a caller stores beside them, in large chunks. A large
// organization's 100,000s of user ids then cost the garbage collector a
// pointer per chunk rather than a string, a map entry and an entry struct
// each: its hash table maps a hash to an index (no pointers to scan), and
// strings whose hashes collide are chained by index.
type interner struct {
	seed   maphash.Seed
	heads  map[uint64]int32 // hash → the first index with that hash
	keys   []internKey
	chunks [][]byte
}

// span is where some bytes live in an interner's chunks.
type span struct {
	chunk, off, n uint32
}

type internKey struct {
	key  span
	next int32 // the next index whose key has the same hash, or -1
}

// internChunk is the size of a chunk; a longer string gets one of its own.
const internChunk = 64 << 10

func newInterner() *interner {
	return &interner{seed: maphash.MakeSeed(), heads: map[uint64]int32{}}
}

// hash is key's hash, for find and add.
func (in *interner) hash(key string) uint64 { return maphash.String(in.seed, key) }

// find returns key's index, given its hash.
func (in *interner) find(key string, h uint64) (int32, bool) {
	i, ok := in.heads[h]
	if !ok {
		return -1, false
	}
	for ; i >= 0; i = in.keys[i].next {
		if string(in.bytes(in.keys[i].key)) == key {
			return i, true
		}
	}
	return -1, false
}

// add interns key, which find did not find, given its hash, and returns
// its index.
func (in *interner) add(key string, h uint64) int32 {
	i := int32(len(in.keys))
	next := int32(-1)
	if head, ok := in.heads[h]; ok {
		next = head
	}
	in.keys = append(in.keys, internKey{key: in.store([]byte(key)), next: next})
	in.heads[h] = i
	return i
}

// key is the string of index i.
func (in *interner) key(i int32) []byte { return in.bytes(in.keys[i].key) }

// len is how many strings are interned.
func (in *interner) len() int { return len(in.keys) }

// store copies b into the chunks.
func (in *interner) store(b []byte) span {
	if len(b) > internChunk/4 {
		in.chunks = append(in.chunks, append([]byte(nil), b...))
		return span{chunk: uint32(len(in.chunks) - 1), n: uint32(len(b))}
	}
	last := len(in.chunks) - 1
	if last < 0 || len(in.chunks[last])+len(b) > cap(in.chunks[last]) || cap(in.chunks[last]) < internChunk {
		in.chunks = append(in.chunks, make([]byte, 0, internChunk))
		last++
	}
	c := in.chunks[last]
	s := span{chunk: uint32(last), off: uint32(len(c)), n: uint32(len(b))}
	in.chunks[last] = append(c, b...)
	return s
}

// bytes are the bytes at s.
func (in *interner) bytes(s span) []byte {
	return in.chunks[s.chunk][s.off : s.off+s.n : s.off+s.n]
}
