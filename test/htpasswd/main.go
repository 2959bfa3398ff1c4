// Command htpasswd prints an htpasswd line (bcrypt) for USER:PASSWORD, for
// the registry with basic auth that test/07-registry.bats starts.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) != 2 || !strings.Contains(os.Args[1], ":") {
		fmt.Fprintln(os.Stderr, "usage: htpasswd USER:PASSWORD")
		os.Exit(2)
	}
	user, pass, _ := strings.Cut(os.Args[1], ":")
	hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "htpasswd:", err)
		os.Exit(1)
	}
	fmt.Printf("%s:%s\n", user, hash)
}
