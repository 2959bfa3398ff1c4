#!/usr/bin/env bats
# A Debian image (dynamic binaries, non-root users, a service that drops
# privileges) on both storage drivers, and named volumes seeded from the
# image as docker seeds them. Each check runs once per driver: overlay in
# this file's root, vfs in a second root of its own.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	export VFS_ROOT=$CTR_LITE_TEST_DIR/vfs-root VFS_RUNROOT=$CTR_LITE_TEST_DIR/vfs-run
	# the vfs root's default network: a bridge belongs to one root
	export VFS_SUBNET=10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24 VFS_BRIDGE=ctrlite-t$((RANDOM % 100000))
	load_debian
	(on_vfs && load_debian)
}

# on_vfs points ctr-lite at the vfs root for the rest of the test.
on_vfs() {
	export CTR_LITE_ROOT=$VFS_ROOT CTR_LITE_RUNROOT=$VFS_RUNROOT CTR_LITE_STORAGE_DRIVER=vfs
	export CTR_LITE_DEFAULT_SUBNET=$VFS_SUBNET CTR_LITE_DEFAULT_BRIDGE=$VFS_BRIDGE
}

teardown() {
	local ids
	for root in overlay vfs; do
		(
			[ $root = overlay ] || on_vfs
			ids=$("$CTR" ps -aq 2>/dev/null || true)
			[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
		)
	done
}

teardown_file() {
	local status=0
	(on_vfs && "$CTR" system reset -f) || status=$?
	finish_file || status=$?
	return $status
}

# A non-root user runs dynamically linked programs: / must be 755 (on
# overlay it was 0700, and the loader could not reach libc.so.6).
check_nonroot_user() {
	ctr run --rm -u nobody debian /bin/true
	assert_status 0
	ctr run --rm -u nobody debian sh -c 'id -un; ls -ld / | cut -c1-10'
	assert_status 0
	[ "$output" = "$(printf 'nobody\ndrwxr-xr-x')" ]
}

@test "overlay: -u nobody runs a dynamic binary; / is drwxr-xr-x" {
	check_nonroot_user
}

@test "vfs: -u nobody runs a dynamic binary; / is drwxr-xr-x" {
	on_vfs
	check_nonroot_user
}

# nginx runs detached, answers on a published loopback port and on its
# container address, and its workers run as www-data.
check_nginx() {
	local port=$((18500 + RANDOM % 400)) ip users
	"$CTR" run -d --name web -p 127.0.0.1:$port:80 debian nginx -g 'daemon off;' >/dev/null
	wait_running web
	for _ in $(seq 50); do
		curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	run curl -s --max-time 5 "http://127.0.0.1:$port/"
	[[ "$output" == *"Welcome to nginx"* ]]
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' web)
	run curl -s --max-time 5 "http://$ip/"
	[[ "$output" == *"Welcome to nginx"* ]]
	ctr exec web ps -o user= -C nginx
	assert_status 0
	users=$(printf '%s\n' "${lines[@]}" | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
	[ "$users" = "root www-data " ] || { echo "nginx users: ${lines[*]}" >&2; return 1; }
	"$CTR" rm -f web >/dev/null
	assert_net_clean
}

@test "overlay: nginx detached, reached on -p 127.0.0.1 and its IP, workers as www-data" {
	check_nginx
}

@test "vfs: nginx detached, reached on -p 127.0.0.1 and its IP, workers as www-data" {
	on_vfs
	check_nginx
}

# apt-get update through the bridge: apt downloads as _apt in its sandbox.
check_apt() {
	curl -sf --max-time 10 -o /dev/null http://deb.debian.org/debian/dists/bookworm/Release ||
		skip "the Debian mirror (deb.debian.org) is unreachable from this host"
	ctr run --rm debian apt-get update
	assert_status 0
	[[ "$output" == *"Reading package lists"* ]]
	[[ "$stderr" != *"_apt"* ]] || { echo "apt sandbox: $stderr" >&2; return 1; }
}

@test "overlay: apt-get update reaches the Debian mirror through the bridge" {
	check_apt
}

@test "vfs: apt-get update reaches the Debian mirror through the bridge" {
	on_vfs
	check_apt
}

# Named volumes take the image directory's owner and mode (Debian's
# /var/mail is root:mail 2775) and, when empty, its contents, when a
# container that mounts them over it first starts (docker's
# copyExistingContents, at create); not with nocopy.
check_volume_seeding() {
	ctr run --rm -v vm:/var/mail debian stat -c '%U %G %a' /var/mail
	assert_status 0
	[ "$output" = "root mail 2775" ]
	# A user of the image's group writes into a fresh volume.
	ctr run --rm -u mail -v mailvol:/var/mail debian sh -c 'touch /var/mail/x && ls /var/mail'
	assert_status 0
	[ "$output" = "x" ]
	# A pre-created volume is seeded from the image on its first mount.
	"$CTR" volume create pre >/dev/null
	ctr run --rm -v pre:/etc/nginx debian sh -c 'grep -c worker_processes /etc/nginx/nginx.conf; stat -c "%U %a" /etc/nginx'
	assert_status 0
	[ "$output" = "$(printf '1\nroot 755')" ]
	# A volume with data keeps it.
	"$CTR" volume create full >/dev/null
	"$CTR" run --rm -v full:/data debian sh -c 'echo mine > /data/f'
	ctr run --rm -v full:/etc/nginx debian ls /etc/nginx
	[ "$output" = "f" ]
	# Emptied, it is seeded again by the next container that mounts it...
	"$CTR" run --rm -v pre:/etc/nginx debian sh -c 'rm -rf /etc/nginx/*'
	ctr run --rm -v pre:/etc/nginx debian test -f /etc/nginx/nginx.conf
	assert_status 0
	# ...but not when its own container starts again.
	"$CTR" create --name again -v again:/etc/nginx debian sh -c 'ls /etc/nginx | wc -l; rm -rf /etc/nginx/*' >/dev/null
	ctr start -a again
	assert_status 0
	[ "$output" -gt 0 ]
	ctr start -a again
	assert_status 0
	[ "$output" = 0 ]
	"$CTR" rm again >/dev/null
	# nocopy mounts it empty; a later mount without it still seeds it.
	ctr run --rm -v nc:/etc/nginx:nocopy debian ls -A /etc/nginx
	assert_status 0
	[ -z "$output" ]
	ctr run --rm -v nc:/etc/nginx debian test -f /etc/nginx/nginx.conf
	assert_status 0
	"$CTR" volume rm vm mailvol pre full again nc >/dev/null
}

@test "overlay: named volumes are seeded from the image (2775 root:mail, contents when empty)" {
	check_volume_seeding
}

@test "vfs: named volumes are seeded from the image (2775 root:mail, contents when empty)" {
	on_vfs
	check_volume_seeding
}

# Docker's copyOwnership: the volume's root takes the image directory's
# owner and mode even when the volume has data and keeps it.
@test "a non-empty volume takes /var/mail's owner and mode" {
	"$CTR" run --rm -v fullmail:/data debian sh -c 'echo mine > /data/f; chmod 700 /data'
	ctr run --rm -v fullmail:/var/mail debian sh -c 'stat -c "%U %G %a" /var/mail; ls /var/mail'
	assert_status 0
	[ "$output" = "$(printf 'root mail 2775\nf')" ]
	"$CTR" volume rm fullmail >/dev/null
}

@test "two containers starting at once seed a new volume once, completely" {
	"$CTR" run --rm -v both:/etc/nginx debian ls /etc/nginx >"$BATS_TEST_TMPDIR/a" 2>&1 &
	"$CTR" run --rm -v both:/etc/nginx debian ls /etc/nginx >"$BATS_TEST_TMPDIR/b" 2>&1 &
	wait %1 && wait %2
	want=$("$CTR" run --rm debian ls /etc/nginx)
	[ "$(cat "$BATS_TEST_TMPDIR/a")" = "$want" ]
	[ "$(cat "$BATS_TEST_TMPDIR/b")" = "$want" ]
	"$CTR" volume rm both >/dev/null
}

@test "a crash while seeding leaves the volume as it was; the next mount seeds it" {
	run env CTR_LITE_FAULT=volume:seed-staged "$CTR" run --rm -v crash:/etc/nginx debian true
	[ "$status" -gt 128 ] # killed at the fault point
	ctr run --rm -v crash:/etc/nginx debian test -f /etc/nginx/nginx.conf
	assert_status 0
	[ ! -e "$CTR_LITE_ROOT/volumes/crash/_seed" ]
	"$CTR" rm -f $("$CTR" ps -aq) >/dev/null 2>&1 || true
	"$CTR" volume rm crash >/dev/null
}

# Killed while moving the complete copy into the volume, the next mount
# (even a nocopy one) finishes the moves from the seeding marker.
@test "a crash while moving the seed into a volume is finished by its next mount" {
	run env CTR_LITE_FAULT=volume:seed-moving "$CTR" run --rm -v cut:/etc/nginx debian true
	[ "$status" -gt 128 ] # killed at the fault point
	[ -e "$CTR_LITE_ROOT/volumes/cut/seeding" ]
	want=$("$CTR" run --rm debian ls -A /etc/nginx)
	ctr run --rm -v cut:/etc/nginx:nocopy debian ls -A /etc/nginx
	assert_status 0
	[ "$output" = "$want" ]
	[ ! -e "$CTR_LITE_ROOT/volumes/cut/seeding" ] && [ ! -e "$CTR_LITE_ROOT/volumes/cut/_seed" ]
	"$CTR" rm -f $("$CTR" ps -aq) >/dev/null 2>&1 || true
	"$CTR" volume rm cut >/dev/null
}
