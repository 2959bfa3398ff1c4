package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ctr-lite/ctr-lite/registry"
)

func newLoginCmd(*globals) *cobra.Command {
	var rf registryFlags
	var user, password string
	var passwordStdin bool
	c := &cobra.Command{
		Use:   "login [OPTIONS] [SERVER]",
		Short: "Log in to a registry (default: Docker Hub)",
		Long: `Check a user name and password against a registry and store them in
~/.docker/config.json ($DOCKER_CONFIG/config.json), where docker, podman,
skopeo and ctr-lite's pull and push find them.`,
		Example: `  ctr-lite login localhost:5000
  echo "$TOKEN" | ctr-lite login -u ci --password-stdin registry.example.com`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			server := ""
			if len(args) == 1 {
				server = args[0]
			}
			user, password, err := credentials(c, user, password, passwordStdin)
			if err != nil {
				return err
			}
			opts, err := rf.options(io.Discard, true)
			if err != nil {
				return err
			}
			if _, err := registry.Login(c.Context(), server, user, password, opts); err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), "Login Succeeded")
			return nil
		},
	}
	rf.register(c, false)
	c.Flags().StringVarP(&user, "username", "u", "", "user name")
	c.Flags().StringVarP(&password, "password", "p", "", "password (visible in ps and shell history: prefer --password-stdin)")
	c.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from stdin")
	return c
}

// credentials fills in what the flags left out: the password from stdin,
// or both by prompting on a terminal.
func credentials(c *cobra.Command, user, password string, fromStdin bool) (string, string, error) {
	in := bufio.NewReader(os.Stdin)
	tty := term.IsTerminal(int(os.Stdin.Fd()))
	if fromStdin {
		if password != "" {
			return "", "", usageError(c, fmt.Errorf("--password and --password-stdin are mutually exclusive"))
		}
		raw, err := io.ReadAll(in)
		if err != nil {
			return "", "", err
		}
		password = strings.TrimRight(string(raw), "\r\n")
	}
	if user == "" && tty {
		fmt.Fprint(os.Stderr, "Username: ")
		line, _ := in.ReadString('\n')
		user = strings.TrimSpace(line)
	}
	if password == "" && tty {
		fmt.Fprint(os.Stderr, "Password: ")
		raw, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", "", err
		}
		password = string(raw)
	}
	if user == "" || password == "" {
		return "", "", usageError(c, fmt.Errorf("a user name and a password are needed: pass -u and --password-stdin (stdin is not a terminal to ask on)"))
	}
	return user, password, nil
}

func newLogoutCmd(*globals) *cobra.Command {
	return &cobra.Command{
		Use:     "logout [SERVER]",
		Short:   "Remove a registry's stored credentials (default: Docker Hub)",
		Example: `  ctr-lite logout localhost:5000`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			server := ""
			if len(args) == 1 {
				server = args[0]
			}
			key, had, err := registry.Logout(server, registry.Options{})
			if err != nil {
				return err
			}
			if !had {
				fmt.Fprintf(c.OutOrStdout(), "Not logged in to %s\n", key)
				return nil
			}
			fmt.Fprintf(c.OutOrStdout(), "Removing login credentials for %s\n", key)
			return nil
		},
	}
}
