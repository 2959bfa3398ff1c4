package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/ctr-lite/ctr-lite/rootfs"
)

// describe turns what go-containerregistry returns into one line saying
// what went wrong and what to do.
func describe(err error, ref name.Reference) error {
	reg := ref.Context().RegistryStr()
	var terr *transport.Error
	if errors.As(err, &terr) {
		return describeStatus(terr, ref)
	}
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	if errors.As(err, &uerr) || errors.As(err, &herr) {
		return fmt.Errorf("registry %s has a certificate this host does not trust (%w): add it to %s's insecure-registries or pass --tls-verify=false", reg, err, DefaultConfigFile)
	}
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fmt.Errorf("registry %s speaks plain HTTP: add it to %s's insecure-registries or pass --tls-verify=false", reg, DefaultConfigFile)
	}
	var operr *net.OpError
	if errors.As(err, &operr) {
		return fmt.Errorf("registry %s is unreachable: %w", reg, operr.Err)
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return fmt.Errorf("registry %s did not answer in time: %w", reg, err)
	}
	return err
}

func describeStatus(terr *transport.Error, ref name.Reference) error {
	repo := rootfs.FamiliarRepo(ref.Context())
	switch {
	case hasCode(terr, transport.ManifestUnknownErrorCode):
		return fmt.Errorf("manifest unknown: %s has no %s", repo, refPart(ref))
	case hasCode(terr, transport.NameUnknownErrorCode):
		return fmt.Errorf("repository %s not found", repo)
	case terr.StatusCode == http.StatusUnauthorized || hasCode(terr, transport.UnauthorizedErrorCode):
		return fmt.Errorf("access to %s denied: the credentials are missing or wrong; run 'ctr-lite login %s'", repo, ref.Context().RegistryStr())
	case terr.StatusCode == http.StatusForbidden || hasCode(terr, transport.DeniedErrorCode):
		return fmt.Errorf("access to %s denied by the registry (HTTP 403)", repo)
	case hasCode(terr, transport.BlobUnknownErrorCode):
		return fmt.Errorf("a blob of %s is missing from the registry", repo)
	case terr.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s not found in %s (HTTP 404)", refPart(ref), repo)
	}
	return terr
}

func hasCode(terr *transport.Error, code transport.ErrorCode) bool {
	for _, d := range terr.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

func refPart(ref name.Reference) string {
	if _, ok := ref.(name.Digest); ok {
		return "digest " + ref.Identifier()
	}
	return "tag " + ref.Identifier()
}
