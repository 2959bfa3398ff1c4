#!/usr/bin/env bats
# run: output, exit codes, flags, and --rm leaving nothing behind.

load helpers
bats_require_minimum_version 1.5.0

@test "run --rm echo prints and exits 0, leaving nothing" {
	ctr run --rm busybox echo hello
	assert_status 0
	[ "$output" = "hello" ]
	assert_no_leftovers
}

@test "exit codes: the container's own (0, 1, 3)" {
	ctr run --rm busybox true
	assert_status 0
	ctr run --rm busybox false
	assert_status 1
	ctr run --rm busybox sh -c 'exit 3'
	assert_status 3
	assert_no_leftovers
}

@test "exit 127: command not found, one-line error" {
	ctr127 run --rm busybox nope
	assert_status 127
	[ "$stderr" = 'Error: exec: "nope": executable file not found in $PATH' ]
	ctr127 run --rm busybox /no/such/file
	assert_status 127
	assert_no_leftovers
}

@test "exit 126: a directory, a file without x, a workdir that is a file" {
	ctr run --rm busybox /etc
	assert_status 126
	[[ "$stderr" == *"is a directory"* ]]
	ctr run --rm busybox /etc/passwd
	assert_status 126
	[[ "$stderr" == *"permission denied"* ]]
	ctr run --rm -w /etc/passwd busybox true
	assert_status 126
	[[ "$stderr" == *"not a directory"* ]]
	assert_no_leftovers
}

@test "exit 125: unknown image, bad flag, name in use, bad volume, missing runc" {
	ctr run --rm --pull never nosuchimage true
	assert_status 125
	[[ "$stderr" == *"unable to find image"* ]]
	ctr run --rm nosuchimage true # a pull from Docker Hub: stopped by the test proxy
	assert_status 125
	[[ "$stderr" == "Unable to find image 'nosuchimage:latest' locally"* ]]
	[[ "$stderr" == *'Error: pull "nosuchimage:latest"'* ]]
	ctr run --rm --bogus busybox true
	assert_status 125
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	"$CTR" create --name taken busybox true
	ctr run --name taken busybox true
	assert_status 125
	[[ "$stderr" == *'container name "taken" is already in use'* ]]
	ctr run --rm -v /tmp:relative busybox true
	assert_status 125
	ctr run --rm --runtime /nonexistent/runc busybox true
	assert_status 125
	ctr run --rm -u nosuchuser busybox true
	assert_status 125
	"$CTR" rm taken
	assert_no_leftovers
}

@test "a missing workdir is created" {
	ctr run --rm -w /new/dir busybox pwd
	assert_status 0
	[ "$output" = "/new/dir" ]
}

@test "env: -e, --env-file, passing the caller's value, image PATH kept" {
	printf '# comment\nFROM_FILE=f\n' > "$BATS_TEST_TMPDIR/env"
	export PASSED=through
	ctr run --rm -e A=1 -e PASSED --env-file "$BATS_TEST_TMPDIR/env" busybox sh -c 'echo $A $PASSED $FROM_FILE $PATH'
	assert_status 0
	[ "$output" = "1 through f /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
}

@test "user: by name, by uid:gid, groups from the image's /etc/group" {
	# The names show that uid 1000 can read /etc/passwd and /etc/group
	# through "/" (it could not while "/" was 0700 on overlay).
	ctr run --rm -u app busybox id
	[ "$output" = "uid=1000(app) gid=1000(app) groups=2000(extra)" ]
	ctr run --rm -u 1234:5678 busybox id -u
	[ "$output" = "1234" ]
}

@test "entrypoint: override, and empty clears it" {
	ctr run --rm --entrypoint echo busybox a b
	[ "$output" = "a b" ]
	ctr run --rm --entrypoint "" busybox echo cleared
	[ "$output" = "cleared" ]
}

@test "hostname, hosts and resolv.conf are the container's own" {
	ctr run --rm --hostname h1 busybox sh -c 'hostname; cat /etc/hostname; grep -c localhost /etc/hosts; test -f /etc/resolv.conf'
	assert_status 0
	[ "${lines[0]}" = "h1" ]
	[ "${lines[1]}" = "h1" ]
}

@test "-v binds a host dir read-write and read-only; a missing host dir is created" {
	mkdir -p "$BATS_TEST_TMPDIR/vol"
	echo data > "$BATS_TEST_TMPDIR/vol/f"
	ctr run --rm -v "$BATS_TEST_TMPDIR/vol:/data" busybox sh -c 'cat /data/f; echo new > /data/g'
	assert_status 0
	[ "$output" = "data" ]
	[ "$(cat "$BATS_TEST_TMPDIR/vol/g")" = "new" ]
	ctr run --rm -v "$BATS_TEST_TMPDIR/vol:/data:ro" busybox sh -c 'echo x > /data/h'
	assert_status 1
	[ ! -e "$BATS_TEST_TMPDIR/vol/h" ]
	ctr run --rm -v "$BATS_TEST_TMPDIR/made:/m" busybox true
	assert_status 0
	[ -d "$BATS_TEST_TMPDIR/made" ]
	assert_no_leftovers
}

@test "--read-only root, with --tmpfs still writable" {
	ctr run --rm --read-only busybox touch /x
	assert_status 1
	[[ "$stderr" == *"Read-only file system"* ]]
	ctr run --rm --read-only --tmpfs /scratch busybox sh -c 'touch /scratch/ok && mount | grep -c " /scratch "'
	assert_status 0
	[ "$output" = "1" ]
}

@test "capabilities: docker's default set, --cap-drop, --cap-add, --privileged" {
	ctr run --rm busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	00000000a80425fb" ]
	ctr run --rm --cap-drop ALL busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	0000000000000000" ]
	ctr run --rm --cap-add NET_ADMIN busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	00000000a80435fb" ]
	ctr run --rm --privileged busybox sh -c 'grep CapEff /proc/self/status; grep Seccomp: /proc/self/status'
	# all the capabilities the host has (this VM lacks CAP_SYS_RESOURCE)
	[ "${lines[0]}" = "CapEff:	$(awk '/CapBnd/ {print $2}' /proc/self/status)" ]
	[ "${lines[1]}" = "Seccomp:	0" ]
	ctr run --rm --cap-add BOGUS busybox true
	assert_status 125
}

@test "capabilities: ALL with drops is all but the drops; names after ALL are checked" {
	local bnd
	bnd=$(awk '/CapBnd/ {print $2}' /proc/self/status)
	ctr run --rm --cap-add ALL --cap-drop NET_ADMIN busybox grep CapEff /proc/self/status
	assert_status 0
	[ "$output" = "CapEff:	$(printf '%016x' $((0x$bnd & ~(1 << 12))))" ]
	ctr run --rm --cap-add ALL --cap-add BOGUS busybox true
	assert_status 125
	[[ "$stderr" == *'unknown capability "BOGUS"'* ]]
	ctr run --rm --cap-drop ALL --cap-drop NOPE busybox true
	assert_status 125
}

@test "--privileged sees the host's devices; a default container only docker's few" {
	ctr run --rm busybox ls /dev
	default=$(echo "$output" | wc -l)
	ctr run --rm --privileged busybox ls /dev
	[ "$(echo "$output" | wc -l)" -gt "$default" ]
	[[ "$output" == *"$(ls /dev | grep -m1 -E '^(vda|sda|nvme0n1|loop0)$')"* ]]
}

@test "seccomp and masked paths are on by default" {
	ctr run --rm busybox sh -c 'grep Seccomp: /proc/self/status; cat /proc/kcore | wc -c'
	[ "${lines[0]}" = "Seccomp:	2" ]
	[ "${lines[1]}" = "0" ]
}

@test "--network none has only lo; --network host has the host's name" {
	ctr run --rm --network none busybox sh -c 'ls /sys/class/net'
	[ "$output" = "lo" ]
	ctr run --rm --network host busybox hostname
	[ "$output" = "$(hostname)" ]
	ctr run --rm --network nosuchnet busybox true
	assert_status 125
	[[ "$stderr" == *"no such network"* ]]
}

@test "-i passes stdin; without -i stdin is empty" {
	run --separate-stderr sh -c "echo piped | '$CTR' run --rm -i busybox cat"
	[ "$output" = "piped" ]
	run --separate-stderr sh -c "echo piped | '$CTR' run --rm busybox cat"
	[ "$output" = "" ]
}

@test "-it without a terminal fails clearly and leaves nothing" {
	run --separate-stderr sh -c "'$CTR' run --rm -it busybox true < /dev/null"
	assert_status 125
	[[ "$stderr" == *"not a TTY"* ]]
	# -t alone needs no terminal of ours: the monitor holds the pty (test/43)
	run --separate-stderr setsid "$CTR" run --rm -t busybox true
	assert_status 0
	assert_no_leftovers
}

@test "ten run --rm in parallel all succeed, in parallel" {
	start=$(date +%s%N)
	for i in $(seq 10); do "$CTR" run --rm --name par$i busybox sleep 1 & done
	for job in $(jobs -p); do wait "$job"; done
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	# Ten one-second sleeps one after another would take over ten seconds.
	[ "$elapsed" -lt 8000 ]
	assert_no_leftovers
}

@test "the layered image: whiteouts, opaque dirs, hard links, setuid" {
	"$CTR" load -q -i "$TESTDATA/layered.tar"
	ctr run --rm layered sh -c 'ls /data; ls /opq; stat -c "%a %h" /hl/file; readlink /sym'
	assert_status 0
	[ "$output" = "$(printf 'keep\nc\n4755 2\n/data/keep')" ]
}
