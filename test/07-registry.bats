#!/usr/bin/env bats
# Registry: pull, push, tag, save/load, rmi and prune against a real
# registry server (Debian's docker-registry, the CNCF distribution
# registry) that this file starts on 127.0.0.1 with its storage in the
# test directory. No traffic leaves loopback.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	start_registry registry
	export REG=$(cat "$CTR_LITE_TEST_DIR/registry/addr")
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	"$CTR" load -q -i "$TESTDATA/layered.tar"
	# A 96 MB image in three layers, for the killed pull.
	(cd "$BATS_TEST_DIRNAME/.." && ${GO:-go} run ./testdata/mkimage -big 96 -layers 3 "$CTR_LITE_TEST_DIR")
	"$CTR" load -q -i "$CTR_LITE_TEST_DIR/big.tar"
	rm "$CTR_LITE_TEST_DIR/big.tar"
	"$CTR" tag layered "$REG/test/layered:1"
	"$CTR" tag big "$REG/test/big:1"
	"$CTR" push -q "$REG/test/layered:1" >/dev/null
	"$CTR" push -q "$REG/test/big:1" >/dev/null
}

teardown_file() {
	stop_registry registry
	stop_registry authed
	finish_file
}

# other_root N: point ctr-lite at a second, empty store for this test.
other_root() {
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-$1 CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-$1
	fresh_network
}

# no_work_dirs: the store holds no half-made layer.
no_work_dirs() {
	local left
	left=$(ls -A "$CTR_LITE_ROOT"/overlay/tmp 2>/dev/null)
	[ -z "$left" ] || { echo "work directories left: $left" >&2; return 1; }
}

@test "push prints the digest; pull by tag and by digest into an empty store" {
	ctr push "$REG/test/layered:1"
	assert_status 0
	[[ "${lines[-1]}" =~ ^1:\ digest:\ (sha256:[0-9a-f]{64})\ size:\ [0-9]+$ ]]
	local digest=${BASH_REMATCH[1]}
	other_root pull1
	ctr pull "$REG/test/layered:1"
	assert_status 0
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 3 ]
	[[ "$output" == *"Digest: $digest"* ]]
	[[ "$output" == *"Status: Downloaded newer image for $REG/test/layered:1"* ]]
	[ "${lines[-1]}" = "$REG/test/layered:1" ]
	ctr pull -q "$REG/test/layered@$digest"
	[ "$output" = "$REG/test/layered@$digest" ]
	ctr images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	[ "$output" = "$REG/test/layered 1 $digest" ]
	ctr image inspect -f '{{index .RepoDigests 0}}' "$REG/test/layered:1"
	[ "$output" = "$REG/test/layered@$digest" ]
	ctr run --rm "$REG/test/layered@$digest" sh -c 'cat /opq/new; ls /opq'
	assert_status 0
	no_work_dirs
	# Pushed again: the registry has every layer. To another repository:
	# the layers are mounted from the one they were pulled from.
	ctr push "$REG/test/layered:1"
	[ "$(grep -c ': Layer already exists$' <<<"$output")" -eq 3 ]
	"$CTR" tag "$REG/test/layered:1" "$REG/copy/layered:1"
	ctr push "$REG/copy/layered:1"
	assert_status 0
	[ "$(grep -c ': Mounted from test/layered$' <<<"$output")" -eq 3 ]
	[[ "${lines[-1]}" == "1: digest: $digest size: "* ]] # the same manifest
	# rmi by digest drops only that reference.
	ctr rmi "$REG/test/layered@$digest"
	[ "$output" = "Untagged: $REG/test/layered@$digest" ]
	ctr images --format '{{.Repository}}:{{.Tag}}' "$REG/test/layered"
	[ "$output" = "$REG/test/layered:1" ]
}

@test "run --pull missing pulls a multi-layer image, progress on stderr, stdout the container's" {
	other_root runpull
	ctr run --rm "$REG/test/layered:1" echo hi
	assert_status 0
	[ "$output" = "hi" ]
	[[ "$stderr" == "Unable to find image '$REG/test/layered:1' locally"* ]]
	[ "$(grep -c ': Pull complete$' <<<"$stderr")" -eq 3 ]
	ctr run --rm --pull always "$REG/test/layered:1" true
	assert_status 0
	[ "$(grep -c ': Already exists$' <<<"$stderr")" -eq 3 ]
	[[ "$stderr" == *"Status: Image is up to date for $REG/test/layered:1"* ]]
	ctr run --rm "$REG/test/layered:1" true
	[ -z "$stderr" ]
	ctr run --rm --pull never "$REG/test/other:1" true
	assert_status 125
	[[ "$stderr" == *'unable to find image'* ]]
	ctr run --rm --pull sometimes busybox true
	assert_status 125
	[[ "$stderr" == *'want missing, always or never'* ]]
}

@test "save of two images to one tar, load into an empty store, run both" {
	ctr save -o "$CTR_LITE_TEST_DIR/two.tar" busybox layered
	assert_status 0
	[ "$(tar -tf "$CTR_LITE_TEST_DIR/two.tar" | grep -c '^blobs/sha256/')" -eq 5 ] # 2 configs, 3 layers (busybox's shared)
	other_root save
	ctr load -i "$CTR_LITE_TEST_DIR/two.tar"
	assert_status 0
	[ "$output" = "$(printf 'Loaded image: busybox:latest\nLoaded image: layered:latest')" ]
	ctr run --rm layered ls /opq
	assert_status 0
	ctr images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	local saved
	saved=$(CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root "$CTR" images --format '{{.Repository}}:{{.Tag}} {{.ID}}' layered)
	[[ "$output" == *"$saved"* ]]
	ctr save busybox
	assert_status 0
	ctr save -o "$CTR_LITE_TEST_DIR/none.tar" nothere
	assert_status 1
	[ ! -e "$CTR_LITE_TEST_DIR/none.tar" ]
	[ -z "$(ls -A "$CTR_LITE_TEST_DIR" | grep '^\.none')" ]
}

@test "rmi is refused while a container uses the image; -f untags; prune removes the dangling image" {
	other_root rmi
	"$CTR" pull -q "$REG/test/layered:1" >/dev/null
	"$CTR" create --name user1 "$REG/test/layered:1" true >/dev/null
	ctr rmi "$REG/test/layered:1"
	assert_status 1
	[[ "$stderr" == *"used by a container"* ]]
	ctr rmi -f "$REG/test/layered:1"
	assert_status 0
	[[ "$output" == *"Untagged: $REG/test/layered:1"* ]]
	ctr images --format '{{.Repository}} {{.Tag}}'
	[ "$output" = "<none> <none>" ]
	ctr image prune -f
	[ "${lines[-1]}" = "Total reclaimed space: 0B" ]
	"$CTR" rm user1 >/dev/null
	ctr image prune -f
	assert_status 0
	[[ "$output" == *"deleted: sha256:"* ]]
	ctr images -q
	[ -z "$output" ]
	[ -z "$(ls -A "$CTR_LITE_ROOT"/overlay/layers)" ]
}

@test "pull of a missing tag, a missing repository or a dead registry: one line, 1, nothing written" {
	other_root missing
	ctr pull "$REG/test/layered:nope"
	assert_status 1
	[ "$stderr" = "Error: pull \"$REG/test/layered:nope\": manifest unknown: $REG/test/layered has no tag nope" ]
	ctr pull "$REG/nobody/here"
	assert_status 1
	[[ "$stderr" == *"$REG/nobody/here"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	ctr pull 127.0.0.1:1/x
	assert_status 1
	[ "$stderr" = 'Error: pull "127.0.0.1:1/x:latest": registry 127.0.0.1:1 is unreachable: connect: connection refused' ]
	ctr pull 'Not/Valid'
	assert_status 1
	[[ "$stderr" == *'invalid reference format'* ]]
	ctr images -q
	[ -z "$output" ]
	no_work_dirs
}

@test "a pull killed halfway leaves no image; the next pull clears its work and completes" {
	other_root killed
	"$CTR" pull -q "$REG/test/big:1" >/dev/null &
	local pid=$! n=0
	until [ -n "$(ls -A "$CTR_LITE_ROOT"/overlay/tmp 2>/dev/null)" ] || [ $n -ge 500 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	kill -9 $pid
	wait $pid || true
	[ -n "$(ls -A "$CTR_LITE_ROOT"/overlay/tmp)" ] # it was stopped halfway
	ctr images -q "$REG/test/big"
	[ -z "$output" ]
	ctr pull "$REG/test/big:1"
	assert_status 0
	no_work_dirs
	ctr run --rm "$REG/test/big:1" sh -c 'ls /big | wc -l'
	[ "$output" -eq 96 ]
}

@test "two pulls of one image at once both succeed and store it once" {
	other_root twice
	"$CTR" pull -q "$REG/test/big:1" >"$CTR_LITE_TEST_DIR/p1" 2>&1 &
	local p1=$!
	"$CTR" pull -q "$REG/test/big:1" >"$CTR_LITE_TEST_DIR/p2" 2>&1 &
	local p2=$!
	wait $p1
	wait $p2
	ctr images -q
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(ls "$CTR_LITE_ROOT"/overlay/layers | wc -l)" -eq 4 ]
	no_work_dirs
}

@test "tag, images filters, push of an unknown image" {
	ctr tag busybox "$REG/tools/busybox:1"
	assert_status 0
	ctr images --filter reference="$REG/tools/*" --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "$REG/tools/busybox:1" ]
	ctr images --filter dangling=true -q
	[ -z "$output" ]
	ctr tag busybox "$REG/tools/busybox@sha256:$(printf '%064d' 0)"
	assert_status 1
	ctr push "$REG/tools/nothere:1"
	assert_status 1
	[[ "$stderr" == *"no such image"* ]]
	ctr push "$REG/tools/busybox:1"
	assert_status 0
	ctr rmi "$REG/tools/busybox:1"
	[ "$output" = "Untagged: $REG/tools/busybox:1" ]
}

@test "login checks the password against a registry with basic auth; pull and push use it; logout forgets it" {
	export DOCKER_CONFIG=$CTR_LITE_TEST_DIR/docker-config
	(cd "$BATS_TEST_DIRNAME/.." && ${GO:-go} run ./test/htpasswd ci:s3cret) >"$CTR_LITE_TEST_DIR/htpasswd"
	start_registry authed "$CTR_LITE_TEST_DIR/htpasswd"
	local auth
	auth=$(cat "$CTR_LITE_TEST_DIR/authed/addr")
	"$CTR" tag busybox "$auth/tools/busybox:1"
	ctr push "$auth/tools/busybox:1"
	assert_status 1
	[[ "$stderr" == *"credentials are missing or wrong; run 'ctr-lite login $auth'"* ]]
	run --separate-stderr "$CTR" login -u ci --password-stdin "$auth" <<<"wrong"
	assert_status 1
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[ ! -e "$DOCKER_CONFIG/config.json" ]
	run --separate-stderr "$CTR" login -u ci --password-stdin "$auth" <<<"s3cret"
	assert_status 0
	[ "$output" = "Login Succeeded" ]
	[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]
	grep -q "\"$auth\"" "$DOCKER_CONFIG/config.json"
	ctr push "$auth/tools/busybox:1"
	assert_status 0
	other_root authed
	ctr pull -q "$auth/tools/busybox:1"
	assert_status 0
	ctr logout "$auth"
	[ "$output" = "Removing login credentials for $auth" ]
	ctr logout "$auth"
	[ "$output" = "Not logged in to $auth" ]
	ctr pull "$auth/tools/busybox:1"
	assert_status 1
	[[ "$stderr" == *"ctr-lite login $auth"* ]]
	stop_registry authed
}
