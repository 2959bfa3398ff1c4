#!/usr/bin/env bash
# mksystemd.sh OUT: writes OUT, a docker-archive of a Debian bookworm
# minbase image with systemd as /sbin/init, tagged debian-systemd:bookworm,
# for booting systemd as a container's PID 1 (test/36-quadlet.bats). Built
# with mmdebstrap from the Debian mirror and cached in $CTR_LITE_TEST_CACHE
# (default /var/cache/ctr-lite-test), keyed by a hash of this script, as
# mkdebian.sh does; OUT becomes a symlink to the cached archive.
set -euo pipefail
out=${1:?usage: mksystemd.sh OUT}
cache=${CTR_LITE_TEST_CACHE:-/var/cache/ctr-lite-test}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# systemd-sysv gives /sbin/init; dbus lets systemctl talk to PID 1 the
# usual way (it falls back to the private socket without it); procps for ps.
include=systemd,systemd-sysv,dbus,procps
key=$(sha256sum "$0" | cut -c1-16)
cached=$cache/debian-systemd-$key.tar

mkdir -p "$cache"
exec 9>"$cache/lock-systemd"
flock 9
if [ -s "$cached" ]; then
	echo "mksystemd: using cached $cached"
	ln -sfn "$cached" "$out"
	exit 0
fi
echo "mksystemd: building $cached: mmdebstrap --variant=minbase --include=$include bookworm ($mirror)"
start=$(date +%s)
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
# No getty on a console the container does not have; the units a
# container cannot run (udev, time sync, logind's seats) are masked so
# that is-system-running says "running", not "degraded".
mmdebstrap --quiet --variant=minbase --include="$include" \
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	--customize-hook='for u in getty@tty1.service console-getty.service systemd-udevd.service systemd-udev-trigger.service systemd-timesyncd.service systemd-networkd.service systemd-resolved.service systemd-firstboot.service systemd-remount-fs.service sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount dev-hugepages.mount; do ln -sf /dev/null "$1/etc/systemd/system/$u"; done' \
	--customize-hook='echo ctr-lite-systemd >"$1/etc/hostname"; : >"$1/etc/machine-id"' \
	bookworm "$work/layer.tar" "$mirror"
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
printf '%s' '{"architecture":"amd64","os":"linux","created":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'",' \
	'"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","container=ctr-lite"],"Cmd":["/sbin/init"],"StopSignal":"SIGRTMIN+3"},' \
	'"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer"'"]},' \
	'"history":[{"created_by":"mmdebstrap --variant=minbase --include='"$include"' bookworm"}]}' >"$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config.json"
mkdir "$work/$layer" && mv "$work/layer.tar" "$work/$layer/layer.tar"
printf '[{"Config":"%s.json","RepoTags":["debian-systemd:bookworm"],"Layers":["%s/layer.tar"]}]' \
	"$config" "$layer" >"$work/manifest.json"
tar -C "$work" -cf "$work/image.tar" manifest.json "$config.json" "$layer/layer.tar"
mv "$work/image.tar" "$cached.tmp" && mv "$cached.tmp" "$cached"
find "$cache" -maxdepth 1 -name 'debian-systemd-*.tar' ! -path "$cached" -delete
echo "mksystemd: built in $(($(date +%s) - start))s: $(du -h "$cached" | cut -f1)"
ln -sfn "$cached" "$out"
