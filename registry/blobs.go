package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// blobClient asks a registry about blobs of one repository, with push
// rights there and pull rights on the repositories layers may be mounted
// from; it lets push say, as docker does, which layers were already there
// and which were mounted.
type blobClient struct {
	repo    name.Repository
	client  *http.Client
	sources []string // per layer, the repository to mount it from, or ""
}

func newBlobClient(ctx context.Context, repo name.Repository, sources []string, o Options) (*blobClient, error) {
	auth, err := o.keychain().Resolve(repo)
	if err != nil {
		return nil, err
	}
	scopes := []string{repo.Scope(transport.PushScope)}
	for _, src := range sources {
		if src != "" {
			scopes = append(scopes, repo.Registry.Repo(src).Scope(transport.PullScope))
		}
	}
	t, err := transport.NewWithContext(ctx, repo.Registry, auth, o.transport(repo.Registry), scopes)
	if err != nil {
		return nil, err
	}
	return &blobClient{repo: repo, client: &http.Client{Transport: t}, sources: sources}, nil
}

func (b *blobClient) url(path string) string {
	return fmt.Sprintf("%s://%s/v2/%s/%s", b.repo.Scheme(), b.repo.RegistryStr(), b.repo.RepositoryStr(), path)
}

// place returns "Layer already exists" or "Mounted from SRC" when the blob
// needs no upload, "" when it does.
func (b *blobClient) place(ctx context.Context, d v1.Hash, src string) (string, error) {
	if ok, err := b.do(ctx, http.MethodHead, b.url("blobs/"+d.String()), http.StatusOK); ok || err != nil {
		return "Layer already exists", err
	}
	if src == "" {
		return "", nil
	}
	q := url.Values{"mount": {d.String()}, "from": {src}}
	if ok, err := b.do(ctx, http.MethodPost, b.url("blobs/uploads/?"+q.Encode()), http.StatusCreated); ok || err != nil {
		return "Mounted from " + src, err
	}
	return "", nil // the registry opened an upload instead; it expires unused
}

// do reports whether the request got the status wanted; other answers
// are "no", except an authorization failure, which is an error.
func (b *blobClient) do(ctx context.Context, method, u string, want int) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return false, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return false, transport.CheckError(resp, want)
	}
	return resp.StatusCode == want, nil
}
