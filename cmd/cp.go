package cmd

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ctr-lite/ctr-lite/lifecycle"
)

func newCpCmd(g *globals) *cobra.Command {
	var o lifecycle.CopyOptions
	c := &cobra.Command{
		Use:   "cp [-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-  |  cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH",
		Short: "Copy files between a container (running or stopped) and the host",
		Long: `Copy files or directories between a container's filesystem and the host, with
docker's rules: a DEST ending in / must be a directory, a SRC ending in /. copies
the directory's contents, "-" is a tar stream on stdin or stdout. Paths in the
container resolve inside its root: its symlinks never lead out. Files copied
into a container belong to root unless -a keeps their uid and gid.`,
		Args: exactArgs(2, "SRC DEST"),
		RunE: func(c *cobra.Command, args []string) error {
			srcCtr, srcPath, srcIn := splitCopyArg(args[0])
			dstCtr, dstPath, dstIn := splitCopyArg(args[1])
			switch {
			case srcIn && dstIn:
				return errors.New("copying between containers is not supported")
			case !srcIn && !dstIn:
				return errors.New("must specify at least one container source")
			case srcIn:
				o.Ref, o.CtrPath, o.HostPath = srcCtr, srcPath, args[1]
			default:
				o.Ref, o.CtrPath, o.HostPath, o.ToContainer = dstCtr, dstPath, args[0], true
			}
			o.Stdin, o.Stdout = c.InOrStdin(), c.OutOrStdout()
			e, err := g.engine()
			if err != nil {
				return err
			}
			return e.Copy(c.Context(), o)
		},
	}
	c.Flags().BoolVarP(&o.Archive, "archive", "a", false, "keep uid/gid of the copied files")
	c.Flags().BoolVarP(&o.FollowLink, "follow-link", "L", false, "follow a symlink in SRC_PATH")
	return c
}

// splitCopyArg splits CONTAINER:PATH as docker does: a local path holds a
// ":" only after a "/" (./a:b, /a:b), or is "-".
func splitCopyArg(arg string) (ctr, p string, ok bool) {
	if arg == "-" || strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg, false
	}
	ctr, p, ok = strings.Cut(arg, ":")
	if !ok {
		return "", arg, false
	}
	return ctr, p, true
}
