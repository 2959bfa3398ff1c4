#!/usr/bin/env bats
# docker diff and docker import: a busybox and a Debian container's changes
# on overlay and vfs (running and stopped, engine files and mount points
# left out), and tars imported as one-layer images, including hostile ones.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	load_debian
}

# The changes a busybox container makes: touch, rm, mkdir, echo >>, and a
# write into a volume (not the container's layer).
busybox_changes() {
	ctr run --name d1 -v /data --tmpfs /scratch -v /a/b/mnt --network none busybox \
		sh -c 'touch /tmp/t; rm /etc/group; mkdir /newd; echo x >> /etc/passwd; echo v > /data/f'
	assert_status 0
	ctr diff d1
	assert_status 0
	[ "$output" = "$(printf 'C /etc\nD /etc/group\nC /etc/passwd\nA /newd\nC /tmp\nA /tmp/t')" ]
	ctr container diff d1
	assert_status 0
	[ "$output" = "$(printf 'C /etc\nD /etc/group\nC /etc/passwd\nA /newd\nC /tmp\nA /tmp/t')" ]
}

@test "diff of a stopped busybox container: A, C, D by path, parents as C, no mount points or name files" {
	busybox_changes
}

@test "vfs: diff of a stopped busybox container" {
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-vfs CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-vfs CTR_LITE_STORAGE_DRIVER=vfs
	fresh_network
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	busybox_changes
	"$CTR" rm -f d1 >/dev/null
}

@test "diff of a running container, and of a fresh one (empty)" {
	"$CTR" create --name fresh busybox true >/dev/null
	ctr diff fresh
	assert_status 0
	[ -z "$output" ]
	"$CTR" run -d --name r --network none busybox sh -c 'mkdir -p /var/x && echo 1 > /var/x/f && sleep 100' >/dev/null
	wait_running r
	for _ in $(seq 50); do
		[ -n "$("$CTR" diff r)" ] && break
		sleep 0.1
	done
	ctr diff r
	assert_status 0
	[ "$output" = "$(printf 'C /var\nA /var/x\nA /var/x/f')" ]
}

@test "diff of an unknown container fails with the not-found error, exit 1" {
	ctr diff nosuch
	assert_status 1
	one_line_error "no such container"
}

@test "diff of a Debian container after rm of a binary and useradd" {
	ctr run --name deb --network none debian sh -c 'rm /usr/bin/tac && useradd -m alice'
	assert_status 0
	ctr diff deb
	assert_status 0
	for line in "C /usr" "C /usr/bin" "D /usr/bin/tac" "C /etc" "C /etc/passwd" "C /etc/shadow" "C /etc/group" "C /home" "A /home/alice"; do
		printf '%s\n' "$output" | grep -qxF "$line" || { echo "no '$line' in: $output"; return 1; }
	done
	# sorted by path, every line a kind and an absolute path
	[ "$output" = "$(printf "%s\n" "$output" | LC_ALL=C sort -k2)" ]
	! printf '%s\n' "$output" | grep -vE '^[ACD] /'
}
