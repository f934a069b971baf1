package synth

import (
	"crypto/sha1"
	"encoding/hex"
	"math/rand/v2"
)

// newUUID draws a version 4 UUID from r, so ids are as reproducible as the rest.
func newUUID(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return formatUUID(b, 4)
}

// uuidNamespace is the namespace of the name-based UUIDs of directory entries.
var uuidNamespace = [16]byte{0x6a, 0x6f, 0x69, 0x6e, 0x65, 0x64, 0x75, 0x70, 0x2d, 0x73, 0x79, 0x6e, 0x74, 0x68, 0x2d, 0x31}

// nameUUID is a version 5 (SHA-1, name-based) UUID of kind and key: the same
// organisation or practitioner has the same fullUrl in every bundle.
func nameUUID(kind, key string) string {
	h := sha1.New()
	h.Write(uuidNamespace[:])
	h.Write([]byte(kind + "/" + key))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	return formatUUID(b, 5)
}

func formatUUID(b [16]byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
