#!/usr/bin/env bats
# docker cp and export: docker's trailing-slash rules, "-" tar streams,
# -a and -L, stopped and running containers, and a hostile container whose
# symlinks point out of its root (nothing outside is read or written).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	H=$CTR_LITE_TEST_DIR/host.$BATS_TEST_NUMBER
	mkdir -p "$H/dir/sub"
	echo file > "$H/f"
	echo a > "$H/dir/sub/a"
}

@test "cp a file and a directory into a created container and back, with docker's trailing-slash rules" {
	"$CTR" create --name c busybox sh >/dev/null
	ctr cp "$H/f" c:/tmp/
	assert_status 0
	ctr cp "$H/f" c:/tmp/renamed
	assert_status 0
	ctr cp "$H/f" c:/nodir/
	assert_status 1
	one_line_error "does not exist"
	ctr cp "$H/dir" c:/newdir
	assert_status 0
	ctr cp "$H/dir" c:/tmp
	assert_status 0
	ctr container cp "$H/dir/." c:/etc/
	assert_status 0
	ctr cp "$H/dir" c:/tmp/f
	assert_status 1
	one_line_error "cannot copy a directory to a file"
	"$CTR" cp c:/ - > "$H/all.tar"
	tar -tf "$H/all.tar" > "$H/list"
	grep -qx 'tmp/f' "$H/list"
	grep -qx 'tmp/renamed' "$H/list"
	grep -qx 'newdir/sub/a' "$H/list"
	grep -qx 'tmp/dir/sub/a' "$H/list"
	grep -qx 'etc/sub/a' "$H/list"
	mkdir "$H/out"
	ctr cp c:/newdir "$H/out"
	assert_status 0
	[ "$(cat "$H/out/newdir/sub/a")" = a ]
	ctr cp c:/tmp/f "$H/out/g"
	assert_status 0
	[ "$(cat "$H/out/g")" = file ]
	ctr cp c:/newdir/. "$H/out/"
	[ "$(cat "$H/out/sub/a")" = a ]
	ctr cp c:/nope "$H/out"
	assert_status 1
	[ "$stderr" = "Error: No such container:path: c:/nope" ]
	ctr start -a c
	run grep -c "$CTR_LITE_TEST_DIR" /proc/self/mountinfo
	[ "$output" = 0 ]
}

@test "cp - extracts a tar from stdin into a directory, and writes one to stdout" {
	"$CTR" create --name c busybox sh >/dev/null
	tar -C "$H" -cf "$H/in.tar" dir f
	"$CTR" cp - c:/tmp < "$H/in.tar"
	"$CTR" cp c:/tmp - | tar -t > "$H/list"
	grep -qx 'tmp/dir/sub/a' "$H/list"
	grep -qx 'tmp/f' "$H/list"
	run --separate-stderr "$CTR" cp - c:/tmp/f < "$H/in.tar"
	assert_status 1
}

@test "cp into and out of a running container, seen from inside it" {
	"$CTR" run -d --name r busybox sleep 1000 >/dev/null
	wait_running r
	ctr cp "$H/f" r:/f
	assert_status 0
	ctr exec r cat /f
	[ "$output" = file ]
	"$CTR" exec r sh -c 'echo inside > /tmp/i'
	ctr cp r:/tmp/i "$H/i"
	[ "$(cat "$H/i")" = inside ]
}

@test "cp keeps uid/gid with -a, sets root without it; copies out follow -L" {
	load_debian
	"$CTR" run --name d debian:bookworm sh -c 'echo x > /owned; chown 1000:1000 /owned; ln -s /owned /link'
	chown 1000:1000 "$H/f"
	"$CTR" cp "$H/f" d:/plain
	"$CTR" cp -a "$H/f" d:/kept
	"$CTR" cp d:/ - | tar -tv --numeric-owner > "$H/list"
	grep -E '^-.* 0/0 .* plain$' "$H/list"
	grep -E '^-.* 1000/1000 .* kept$' "$H/list"
	"$CTR" cp d:/link "$H/l"
	[ -L "$H/l" ]
	"$CTR" cp -L d:/link "$H/l2"
	[ ! -L "$H/l2" ] && [ "$(cat "$H/l2")" = x ]
}

@test "a hostile container's symlinks never lead cp out of its root" {
	M=$CTR_LITE_TEST_DIR/marker
	mkdir -p "$M"
	echo secret > "$M/secret"
	"$CTR" run --name h busybox sh -c "ln -s / /evil; ln -s ../../../../../../$M/secret /etc/x; ln -s $M /mdir; ln -s ../../../../$M/new /etc/w; mkdir -p $M"
	# reading: the links resolve inside the root, where there is no secret
	ctr cp -L h:/etc/x "$H/o1"
	assert_status 1
	ctr cp h:/evil/$M/secret "$H/o2"
	assert_status 1
	ctr cp h:/mdir/secret "$H/o3"
	assert_status 1
	[ ! -e "$H/o1" ] && [ ! -e "$H/o2" ] && [ ! -e "$H/o3" ]
	"$CTR" cp h:/etc - | tar -t > "$H/list"
	! grep secret "$H/list"
	# writing: through every link the file lands inside the container (in
	# the container's own directory of the marker's path)
	"$CTR" cp "$H/f" h:/etc/w
	"$CTR" cp "$H/f" h:/mdir/new
	"$CTR" cp "$H/f" h:/evil/$M/new2
	tar -C "$H" -cf "$H/in.tar" f
	"$CTR" cp - h:/mdir < "$H/in.tar"
	[ "$(ls "$M")" = secret ]
	[ "$(cat "$M/secret")" = secret ]
	"$CTR" cp h:/ - | tar -t > "$H/list"
	grep -qx "${M#/}/new2" "$H/list"
	grep -qx "${M#/}/new" "$H/list"
	grep -qx "${M#/}/f" "$H/list"
}

@test "export writes the filesystem of a never-started container; refuses a terminal" {
	"$CTR" create --name e busybox sh >/dev/null
	"$CTR" export e | tar -t > "$H/list"
	grep -qx bin/busybox "$H/list"
	"$CTR" container export -o "$H/e.tar" e
	tar -tf "$H/e.tar" | grep -qx bin/busybox
	ctr export nosuch
	assert_status 1
}

@test "cp reaches a stopped container's volumes and binds; a read-only one is refused; export leaves volumes out" {
	mkdir "$H/bind"
	echo b > "$H/bind/b"
	"$CTR" run --name v -v data:/data -v "$H/bind:/b:ro" busybox true
	ctr cp "$H/f" v:/data/f
	assert_status 0
	mp=$("$CTR" volume inspect -f '{{.Mountpoint}}' data)
	[ "$(cat "$mp/f")" = file ]
	ctr cp v:/b/b "$H/got"
	assert_status 0
	[ "$(cat "$H/got")" = b ]
	ctr cp "$H/f" v:/b/
	assert_status 1
	one_line_error "read-only"
	[ ! -e "$H/bind/f" ]
	"$CTR" export v | tar -t > "$H/list"
	! grep -q '^data/f' "$H/list"
	"$CTR" run --rm -v data:/data busybox cat /data/f
}

@test "cp into a running container that swaps a directory for a symlink to the host writes nothing on the host" {
	V=$CTR_LITE_TEST_DIR/victim
	mkdir -p "$V"
	"$CTR" run -d --name race busybox sh -c "mkdir /x; while true; do mv /x /xd; ln -s $V /x; rm /x; mv /xd /x; done" >/dev/null
	wait_running race
	ok=0
	for i in $(seq 200); do
		"$CTR" cp "$H/f" race:/x/p$i 2>/dev/null && ok=$((ok + 1))
		"$CTR" cp "$H/dir" race:/x/ 2>/dev/null || true
	done
	[ -z "$(ls -A "$V")" ]
	# some copies did go through the swapped path (into the container)
	[ "$ok" -gt 0 ]
}

@test "cp treats .wh. and .wh..wh..opq as ordinary names in both directions" {
	mkdir -p "$H/home/Documents"
	echo precious > "$H/home/Documents/thesis"
	echo rc > "$H/home/.bashrc"
	"$CTR" run --name wh busybox sh -c 'mkdir /d; touch /d/.wh..wh..opq /d/.wh.Documents /d/.wh..bashrc; echo hi > /d/readme'
	ctr cp wh:/d/. "$H/home"
	assert_status 0
	[ "$(cat "$H/home/Documents/thesis")" = precious ]
	[ "$(cat "$H/home/.bashrc")" = rc ]
	[ -f "$H/home/.wh..wh..opq" ] && [ -f "$H/home/.wh.Documents" ] && [ -f "$H/home/.wh..bashrc" ]
	[ "$(cat "$H/home/readme")" = hi ]
	mkdir "$H/in"
	touch "$H/in/.wh.bin" "$H/in/.wh..wh..opq"
	tar -C "$H/in" -cf "$H/wh.tar" .wh.bin .wh..wh..opq
	"$CTR" cp - wh:/ < "$H/wh.tar"
	ctr cp "$H/in/.wh.bin" wh:/etc/
	assert_status 0
	"$CTR" cp wh:/ - | tar -t > "$H/list"
	grep -qx bin/busybox "$H/list"
	grep -qx etc/passwd "$H/list"
	grep -qx .wh.bin "$H/list"
	grep -qx .wh..wh..opq "$H/list"
	grep -qx etc/.wh.bin "$H/list"
}

@test "cp refuses to replace a directory with a non-directory and back, with docker's message" {
	"$CTR" create --name m1 busybox sh >/dev/null
	mkdir -p "$H/t" "$H/t2/bin/busybox"
	echo x > "$H/t/etc"
	tar -C "$H/t" -cf "$H/etc.tar" etc
	run --separate-stderr "$CTR" cp - m1:/ < "$H/etc.tar"
	assert_status 1
	[ "$stderr" = 'Error: cannot overwrite directory "/etc" with non-directory "etc"' ]
	tar -C "$H/t2" -cf "$H/bin.tar" bin/busybox
	run --separate-stderr "$CTR" cp - m1:/ < "$H/bin.tar"
	assert_status 1
	[ "$stderr" = 'Error: cannot overwrite non-directory "/bin/busybox" with directory "bin/busybox/"' ]
	ctr cp m1:/etc/passwd -
	assert_status 0
	mkdir -p "$H/out/passwd/keep"
	ctr cp m1:/etc/passwd "$H/out/"
	assert_status 1
	one_line_error "cannot overwrite directory \"$H/out/passwd\" with non-directory \"passwd\""
	[ -d "$H/out/passwd/keep" ]
}

@test "cp out fails when the destination's parent does not exist, as docker" {
	"$CTR" create --name l2 busybox sh >/dev/null
	ctr cp l2:/etc/group "$H/a/b/c/f"
	assert_status 1
	[ "$stderr" = "Error: stat $H/a/b/c: no such file or directory" ]
	[ ! -e "$H/a" ]
}

@test "cp routes a symlink to a volume or bind into the mount, and refuses a read-only one reached so" {
	mkdir "$H/bind"
	"$CTR" run --name l1 -v l1data:/data -v "$H/bind:/ro:ro" busybox sh -c 'ln -s /data /x; ln -s /ro /y'
	ctr cp "$H/f" l1:/x/
	assert_status 0
	mp=$("$CTR" volume inspect -f '{{.Mountpoint}}' l1data)
	[ "$(cat "$mp/f")" = file ]
	ctr cp l1:/x/f "$H/back"
	assert_status 0
	[ "$(cat "$H/back")" = file ]
	ctr cp "$H/f" l1:/y/
	assert_status 1
	one_line_error "read-only"
	[ ! -e "$H/bind/f" ]
	"$CTR" rm -f l1 >/dev/null
	"$CTR" volume rm l1data >/dev/null
}

# hold_file NAME: wait for a cp's hold on container NAME's root.
hold_file() {
	local id
	id=$("$CTR" inspect -f '{{.Id}}' "$1")
	for _ in $(seq 100); do
		ls "$CTR_LITE_ROOT/containers/$id"/cp.* >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

@test "stop -t 1 during a slow cp - returns while the copy still runs; the copy then completes" {
	"$CTR" run -d --name m5 busybox sleep 1000 >/dev/null
	wait_running m5
	mkfifo "$H/fifo"
	exec 4<>"$H/fifo"
	"$CTR" cp - m5:/tmp < "$H/fifo" &
	cp_pid=$!
	hold_file m5
	"$CTR" stop -t 1 m5
	kill -0 $cp_pid # the copy is still running
	[ "$("$CTR" inspect -f '{{.State.Status}}' m5)" = exited ]
	tar -C "$H" -cf - f >&4
	exec 4>&-
	wait $cp_pid
	[ "$("$CTR" cp m5:/tmp/f -  | tar -xO)" = file ]
	# the last hold's end unmounted the stopped container's root
	run grep -c "$CTR_LITE_TEST_DIR" /proc/self/mountinfo
	[ "$output" = 0 ]
}

@test "a cp killed mid-stream leaves what rm -f cleans" {
	"$CTR" create --name k busybox sh >/dev/null
	mkfifo "$H/fifo"
	exec 4<>"$H/fifo"
	"$CTR" cp - k:/tmp < "$H/fifo" &
	cp_pid=$!
	hold_file k
	kill -9 $cp_pid
	wait $cp_pid || true
	exec 4>&-
	# a later cp does not count the dead one's hold
	ctr cp "$H/f" k:/tmp/
	assert_status 0
	run grep -c "$CTR_LITE_TEST_DIR" /proc/self/mountinfo
	[ "$output" = 0 ]
	"$CTR" rm -f k
}
