package registry

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
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
	return key, storeCredentials(key, user, password)
}

// Logout removes the stored credentials of server; it reports whether
// there were any.
func Logout(server string, o Options) (string, bool, error) {
	reg, err := o.registry(server)
	if err != nil {
		return "", false, err
	}
	key := authKey(reg)
	had, err := eraseCredentials(key)
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

// loadDockerConfig reads the docker config file with docker's own code,
// so that what ctr-lite writes is what docker would: credentials go to the
// credsStore or credHelpers helper the file names (docker-credential-NAME
// on PATH), else to "auths"; every other setting is kept; a symlinked
// config.json stays a link (its target is replaced). A file that does not
// parse is an error, never overwritten.
func loadDockerConfig() (*configfile.ConfigFile, error) {
	path := DockerConfigPath()
	cf, err := config.Load(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	return cf, nil
}

// storeCredentials saves user and password for the registry key.
func storeCredentials(key, user, password string) error {
	cf, err := loadDockerConfig()
	if err != nil {
		return err
	}
	auth := types.AuthConfig{Username: user, Password: password, ServerAddress: key}
	if err := cf.GetCredentialsStore(key).Store(auth); err != nil {
		return fmt.Errorf("store credentials for %s in %q: %w", key, cf.Filename, err)
	}
	return nil
}

// eraseCredentials removes the registry key's credentials; like docker
// logout it reports whether the config file listed any.
func eraseCredentials(key string) (bool, error) {
	cf, err := loadDockerConfig()
	if err != nil {
		return false, err
	}
	if _, ok := cf.AuthConfigs[key]; !ok {
		return false, nil
	}
	if err := cf.GetCredentialsStore(key).Erase(key); err != nil {
		return true, fmt.Errorf("remove credentials for %s from %q: %w", key, cf.Filename, err)
	}
	return true, nil
}
