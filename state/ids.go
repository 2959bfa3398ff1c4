package state

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
)

// validName is docker's rule for container names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// ValidName reports whether name may name a container or a volume.
func ValidName(name string) bool { return validName.MatchString(name) }

// ValidateName reports whether name may be used as a container name.
func ValidateName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	return nil
}

// NewID returns a random 64-hex-digit container ID. Like docker, it never
// returns an ID that is all digits, so a short ID cannot be read as a number.
func NewID() string {
	b := make([]byte, 32)
	for {
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand does not fail on Linux
		}
		id := hex.EncodeToString(b)
		if !allDigits(id[:12]) {
			return id
		}
	}
}

// ShortID is the 12-character form shown by ps and images.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// ValidID reports whether id is a full 64-hex container ID.
func ValidID(id string) bool {
	if len(id) != 64 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var (
	adjectives = []string{"admiring", "bold", "brave", "busy", "calm", "clever", "cool", "eager",
		"elastic", "festive", "gallant", "gifted", "happy", "hopeful", "jolly", "keen", "kind",
		"lucid", "magical", "modest", "nifty", "optimistic", "peaceful", "quirky", "relaxed",
		"serene", "sharp", "stoic", "sweet", "tender", "upbeat", "vibrant", "wizardly", "zealous"}
	nouns = []string{"albattani", "babbage", "bohr", "curie", "darwin", "dijkstra", "einstein",
		"euclid", "fermi", "galileo", "hopper", "hypatia", "kepler", "knuth", "lamport", "lovelace",
		"mccarthy", "meitner", "newton", "noether", "pascal", "ritchie", "shannon", "tesla",
		"thompson", "torvalds", "turing", "wozniak", "yalow"}
)

// RandomName returns a docker-style adjective_noun name; attempt > 0 adds a
// digit suffix, as docker does after a collision.
func RandomName(attempt int) string {
	name := pick(adjectives) + "_" + pick(nouns)
	if attempt > 0 {
		name = fmt.Sprintf("%s%d", name, attempt)
	}
	return name
}

func pick(list []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	if err != nil {
		panic(err)
	}
	return list[n.Int64()]
}
