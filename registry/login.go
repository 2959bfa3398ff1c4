package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/ctr-lite/ctr-lite/state"
)

// hubAuthKey is where docker keeps Docker Hub credentials.
const hubAuthKey = "https://index.docker.io/v1/"

// DockerConfigPath is $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
func DockerConfigPath() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return filepath.Join(d, "config.json")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".docker", "config.json")
}

// Login checks user and password against the registry server and, when
// they work, stores them in the docker config file.
func Login(ctx context.Context, server, user, password string, o Options) (string, error) {
	reg, err := o.registry(server)
	if err != nil {
		return "", err
	}
	if err := checkLogin(ctx, reg, &authn.Basic{Username: user, Password: password}, o); err != nil {
		return "", fmt.Errorf("log in to %s: %w", reg.RegistryStr(), describe(err, reg.Repo("x").Tag("x")))
	}
	key := authKey(reg)
	err = updateDockerConfig(func(auths map[string]any) bool {
		auths[key] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password))}
		return true
	})
	return key, err
}

// Logout removes the stored credentials of server; it reports whether
// there were any.
func Logout(server string, o Options) (string, bool, error) {
	reg, err := o.registry(server)
	if err != nil {
		return "", false, err
	}
	key := authKey(reg)
	var had bool
	err = updateDockerConfig(func(auths map[string]any) bool {
		_, had = auths[key]
		delete(auths, key)
		return had
	})
	return key, had, err
}

func (o Options) registry(server string) (name.Registry, error) {
	if server == "" {
		server = name.DefaultRegistry
	}
	var opts []name.Option
	if o.insecureFor(server) {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(server, opts...)
	if err != nil {
		return reg, fmt.Errorf("invalid registry %q: want HOST[:PORT]", server)
	}
	return reg, nil
}

func authKey(reg name.Registry) string {
	if reg.RegistryStr() == name.DefaultRegistry {
		return hubAuthKey
	}
	return reg.RegistryStr()
}

// checkLogin makes an authenticated request to the registry's /v2/: a
// token registry refuses the token, a basic-auth one the request.
func checkLogin(ctx context.Context, reg name.Registry, auth authn.Authenticator, o Options) error {
	t, err := transport.NewWithContext(ctx, reg, auth, o.transport(reg), []string{reg.Scope(transport.PullScope)})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s://%s/v2/", reg.Scheme(), reg.RegistryStr()), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: t}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return transport.CheckError(resp, http.StatusOK)
}

// updateDockerConfig edits the "auths" of the docker config file, keeping
// every other setting as it was.
func updateDockerConfig(edit func(auths map[string]any) bool) error {
	path := DockerConfigPath()
	cfg := map[string]json.RawMessage{}
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %q: %w", path, err)
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return fmt.Errorf("read %q: %w", path, err)
		}
	}
	auths := map[string]any{}
	if a, ok := cfg["auths"]; ok {
		if err := json.Unmarshal(a, &auths); err != nil {
			return fmt.Errorf("read %q: auths: %w", path, err)
		}
	}
	if !edit(auths) {
		return nil
	}
	cfg["auths"], _ = json.Marshal(auths)
	out, err := json.MarshalIndent(cfg, "", "\t")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return state.WriteFileAtomic(path, append(out, '\n'), 0o600, true)
}
