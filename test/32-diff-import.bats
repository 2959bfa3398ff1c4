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

# busybox_dir DIR: busybox's files in DIR, from an exported container.
busybox_dir() {
	mkdir -p "$1"
	"$CTR" create --name exp busybox >/dev/null
	"$CTR" export exp | tar -C "$1" -x
	"$CTR" rm exp >/dev/null
}

@test "import a tar made with tar -C dir -c ., tagged and untagged, then run it" {
	busybox_dir "$CTR_LITE_TEST_DIR/fs"
	tar -C "$CTR_LITE_TEST_DIR/fs" -c . > "$CTR_LITE_TEST_DIR/fs.tar"
	ctr import "$CTR_LITE_TEST_DIR/fs.tar" imp:1
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	[ "$("$CTR" image inspect -f '{{.Id}}' imp:1)" = "$id" ]
	ctr run --rm --network none imp:1 /bin/sh -c 'echo ran; ls /bin/busybox'
	assert_status 0
	[ "$output" = "$(printf 'ran\n/bin/busybox')" ]
	# gzip from stdin, untagged, through image import
	gzip -c "$CTR_LITE_TEST_DIR/fs.tar" > "$CTR_LITE_TEST_DIR/fs.tar.gz"
	run --separate-stderr "$CTR" image import - < "$CTR_LITE_TEST_DIR/fs.tar.gz"
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	untagged=$output
	"$CTR" images --filter dangling=true -q | grep -qx "${untagged:7:12}"
	"$CTR" events --since 1m --until 0s --filter type=image --filter event=import | grep -c 'image import' | grep -qx 2
	# xz and bzip2, as docker import takes: the same layer as the plain tar
	layer=$("$CTR" image inspect -f '{{json .RootFS.Layers}}' imp:1)
	for z in xz bzip2; do
		$z -c "$CTR_LITE_TEST_DIR/fs.tar" > "$CTR_LITE_TEST_DIR/fs.tar.$z"
		ctr import "$CTR_LITE_TEST_DIR/fs.tar.$z" "imp:$z"
		assert_status 0
		[ "$("$CTR" image inspect -f '{{json .RootFS.Layers}}' "imp:$z")" = "$layer" ]
		ctr run --rm --network none "imp:$z" /bin/sh -c 'echo ran'
		[ "$output" = ran ]
	done
	# a truncated xz stream is one line, and leaves no image
	head -c 100 "$CTR_LITE_TEST_DIR/fs.tar.xz" | { run --separate-stderr "$CTR" import - imp:cut; assert_status 1; one_line_error 'import image'; }
	ctr image inspect imp:cut
	assert_status 1
	# streams that ask for a 1 GiB dictionary each (a few hundred bytes),
	# first or after a valid one, are refused by the decoder's memory limit
	echo x | xz -c --lzma2=dict=1GiB > "$CTR_LITE_TEST_DIR/huge.xz"
	cp "$CTR_LITE_TEST_DIR/huge.xz" "$CTR_LITE_TEST_DIR/huge-first.tar.xz"
	cat "$CTR_LITE_TEST_DIR/fs.tar.xz" "$CTR_LITE_TEST_DIR/huge.xz" "$CTR_LITE_TEST_DIR/huge.xz" > "$CTR_LITE_TEST_DIR/huge-later.tar.xz"
	for f in huge-first huge-later; do
		run --separate-stderr "$CTR" import "$CTR_LITE_TEST_DIR/$f.tar.xz" "imp:$f"
		assert_status 1
		one_line_error 'the xz tar needs more than 128MiB of memory to decompress'
		ctr image inspect "imp:$f"
		assert_status 1
	done
}

@test "import --change CMD, ENV, WORKDIR (shell and JSON forms): inspect shows them and run uses them" {
	busybox_dir "$CTR_LITE_TEST_DIR/fs2"
	tar -C "$CTR_LITE_TEST_DIR/fs2" -c . | { run --separate-stderr "$CTR" import -c 'CMD echo "A is $A"; pwd' --change 'ENV A="two words" PATH=/bin' -c 'WORKDIR /tmp' -m 'from a dir' - imp:2; assert_status 0; }
	[ "$("$CTR" image inspect -f '{{json .Config.Cmd}}' imp:2)" = '["/bin/sh","-c","echo \"A is $A\"; pwd"]' ]
	[ "$("$CTR" image inspect -f '{{json .Config.Env}}' imp:2)" = '["A=two words","PATH=/bin"]' ]
	ctr run --rm --network none imp:2
	assert_status 0
	[ "$output" = "$(printf 'A is two words\n/tmp')" ]
	tar -C "$CTR_LITE_TEST_DIR/fs2" -c . | { run --separate-stderr "$CTR" import -c 'CMD ["/bin/echo", "json", "form"]' - imp:3; assert_status 0; }
	ctr run --rm --network none imp:3
	[ "$output" = "json form" ]
}

@test "import with an unknown --change instruction fails with docker's error, exit 1" {
	ctr import -c 'FOO bar' /dev/null imp:bad
	assert_status 1
	one_line_error "foo is not a valid change command"
	ctr image inspect imp:bad
	assert_status 1
}

@test "import of a tar with ../x fails and one with an absolute symlink stays inside" {
	victim=$CTR_LITE_TEST_DIR/victim
	mkdir -p "$victim" "$CTR_LITE_TEST_DIR/h/a" "$CTR_LITE_TEST_DIR/h/b/link"
	echo evil > "$CTR_LITE_TEST_DIR/h/a/f"
	ln -s "$victim" "$CTR_LITE_TEST_DIR/h/a/link"
	echo pwn > "$CTR_LITE_TEST_DIR/h/b/link/pwned"
	tar -P --transform 's,^f$,../../x,' -C "$CTR_LITE_TEST_DIR/h/a" -cf "$CTR_LITE_TEST_DIR/dotdot.tar" f 2>/dev/null
	ctr import "$CTR_LITE_TEST_DIR/dotdot.tar" bad:1
	assert_status 1
	one_line_error ".."
	[ ! -e "$CTR_LITE_ROOT/x" ] && [ ! -e "$CTR_LITE_TEST_DIR/x" ] && [ ! -e "$(dirname "$CTR_LITE_ROOT")/x" ]
	# busybox, then /link -> $victim, then link/pwned through it
	busybox_dir "$CTR_LITE_TEST_DIR/h/fs"
	tar -C "$CTR_LITE_TEST_DIR/h/fs" -cf "$CTR_LITE_TEST_DIR/abs.tar" .
	tar -P -C "$CTR_LITE_TEST_DIR/h/a" -rf "$CTR_LITE_TEST_DIR/abs.tar" link
	tar -P -C "$CTR_LITE_TEST_DIR/h/b" -rf "$CTR_LITE_TEST_DIR/abs.tar" link/pwned
	ctr import "$CTR_LITE_TEST_DIR/abs.tar" abs:1
	assert_status 0
	[ -z "$(ls -A "$victim")" ]
	ctr run --rm --network none abs:1 cat "$victim/pwned"  # no PATH in the image: docker's default
	assert_status 0
	[ "$output" = pwn ]
	[ -z "$(ls -A "$victim")" ]
	[ -z "$(ls -A "$CTR_LITE_ROOT/overlay/tmp")" ]
}
