package cmd

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
	"github.com/ctr-lite/ctr-lite/registry"
)

// registriesConfEnv names the registries file pull and push read.
const registriesConfEnv = "CTR_LITE_REGISTRIES_CONF"

// registryFlags are the flags of commands that talk to a registry.
type registryFlags struct {
	tlsVerify bool
	platform  string
}

func (f *registryFlags) register(c *cobra.Command, withPlatform bool) {
	c.Flags().BoolVar(&f.tlsVerify, "tls-verify", true, "require HTTPS with a trusted certificate (loopback registries and those in "+registry.DefaultConfigFile+" are exempt)")
	if withPlatform {
		c.Flags().StringVar(&f.platform, "platform", "", "OS/ARCH[/VARIANT] to pull from a multi-platform image (default: this host's)")
	}
}

// options builds registry options reporting progress to w.
func (f *registryFlags) options(w io.Writer, quiet bool) (registry.Options, error) {
	insecure, err := registry.LoadInsecure(envOr(registriesConfEnv, registry.DefaultConfigFile))
	if err != nil {
		return registry.Options{}, err
	}
	o := registry.Options{NoTLSVerify: !f.tlsVerify, Insecure: insecure, Progress: newProgress(w, quiet)}
	if f.platform != "" {
		o.Platform, err = registry.ParsePlatform(f.platform)
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

// open returns the engine and the registry options reporting to w: the
// common start of pull and push.
func (f *registryFlags) open(g *globals, w io.Writer, quiet bool) (*lifecycle.Engine, registry.Options, error) {
	opts, err := f.options(w, quiet)
	if err != nil {
		return nil, opts, err
	}
	e, err := g.engine()
	return e, opts, err
}
