#!/usr/bin/env bash
# mkdebian.sh OUT: writes OUT, a docker-archive of a Debian bookworm
# minbase image tagged debian:bookworm, built with mmdebstrap from the
# Debian mirror. The archive is cached in $CTR_LITE_TEST_CACHE (default
# /var/cache/ctr-lite-test), keyed by a hash of this script, so a fresh
# clone on the same machine reuses it and a changed script rebuilds it.
# OUT becomes a symlink to the cached archive.
set -euo pipefail
out=${1:?usage: mkdebian.sh OUT}
cache=${CTR_LITE_TEST_CACHE:-/var/cache/ctr-lite-test}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the tests need beyond minbase: a service that drops privileges
# (nginx's workers run as www-data) and ps.
include=nginx-light,procps
key=$(sha256sum "$0" | cut -c1-16)
cached=$cache/debian-bookworm-$key.tar

mkdir -p "$cache"
exec 9>"$cache/lock" # one build at a time; the others wait and reuse it
flock 9
if [ ! -s "$cached" ]; then
	echo "mkdebian: building $cached: mmdebstrap --variant=minbase --include=$include bookworm ($mirror)"
	start=$(date +%s)
	work=$(mktemp -d "$cache/build.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	mmdebstrap --quiet --variant=minbase --include="$include" \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		bookworm "$work/layer.tar" "$mirror"
	layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
	printf '%s' '{"architecture":"amd64","os":"linux","created":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'",' \
		'"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"]},' \
		'"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer"'"]},' \
		'"history":[{"created_by":"mmdebstrap --variant=minbase --include='"$include"' bookworm"}]}' >"$work/config.json"
	config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
	mv "$work/config.json" "$work/$config.json"
	mkdir "$work/$layer" && mv "$work/layer.tar" "$work/$layer/layer.tar"
	printf '[{"Config":"%s.json","RepoTags":["debian:bookworm"],"Layers":["%s/layer.tar"]}]' \
		"$config" "$layer" >"$work/manifest.json"
	tar -C "$work" -cf "$work/image.tar" manifest.json "$config.json" "$layer/layer.tar"
	mv "$work/image.tar" "$cached.tmp" && mv "$cached.tmp" "$cached"
	# Older builds of other script versions are no longer wanted.
	find "$cache" -maxdepth 1 -name 'debian-bookworm-*.tar' ! -path "$cached" -delete
	echo "mkdebian: built in $(($(date +%s) - start))s: $(du -h "$cached" | cut -f1)"
else
	echo "mkdebian: using cached $cached"
fi
ln -sfn "$cached" "$out"
