#!/usr/bin/env bats
# The vfs storage driver: the same behaviour as overlay, full copies.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	export CTR_LITE_STORAGE_DRIVER=vfs
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	"$CTR" load -q -i "$TESTDATA/layered.tar"
}

@test "vfs: info says vfs; run and exit codes" {
	ctr info
	[[ "$output" == *"Storage Driver: vfs"* ]]
	ctr run --rm busybox echo vfs
	[ "$output" = "vfs" ]
	ctr run --rm busybox sh -c 'exit 5'
	assert_status 5
	ctr127 run --rm busybox nope
	assert_status 127
	assert_no_leftovers
}

@test "vfs: layered image semantics" {
	ctr run --rm layered sh -c 'ls /data; ls /opq; stat -c "%a %h" /hl/file'
	[ "$output" = "$(printf 'keep\nc\n4755 2')" ]
}

@test "vfs: a container's writes persist across starts and vanish with rm" {
	"$CTR" create --name w busybox sh -c 'cat /f 2>/dev/null; echo x >> /f'
	"$CTR" start -a w
	ctr start -a w
	[ "$output" = "x" ]
	ctr run --rm busybox cat /f
	assert_status 1
	"$CTR" rm w
	assert_no_leftovers
}

@test "vfs: --read-only and -v" {
	ctr run --rm --read-only busybox touch /x
	assert_status 1
	ctr run --rm -v "$BATS_TEST_TMPDIR:/d" busybox sh -c 'echo hi > /d/f'
	[ "$(cat "$BATS_TEST_TMPDIR/f")" = "hi" ]
}
