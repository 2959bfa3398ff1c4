#!/usr/bin/env bats
# docker commit and docker history: a container's changes (added, changed,
# deleted files, a deleted directory, chmod, a hard link, a directory
# replaced: overlay's opaque dir) become a layer with whiteouts, on overlay
# and vfs; the new image runs, saves, loads, pushes and is pulled by skopeo
# like any other; --change, -m, -a, --pause; history's columns and flags.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

# on_vfs points ctr-lite at a vfs root of this test's own.
on_vfs() {
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-vfs CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-vfs CTR_LITE_STORAGE_DRIVER=vfs
	fresh_network
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

# layer_tar IMAGE N: the names in layer N (0 is the bottom) of IMAGE, from save.
layer_tar() {
	local diff
	diff=$("$CTR" image inspect -f "{{index .RootFS.Layers $2}}" "$1")
	"$CTR" save "$1" | tar -xO "blobs/sha256/${diff#sha256:}" | tar -t
}

# commit_changes: commit a busybox container that changes its files in
# every way, run the image, check each change, and the layer's whiteouts.
commit_changes() {
	ctr run --name c1 --network none -v /vol --tmpfs /scratch busybox sh -c '
		echo new > /added; ln /added /added2
		echo more >> /etc/passwd
		rm /etc/group
		rm -rf /home
		chmod 700 /root
		rm -rf /usr/sbin && mkdir /usr/sbin && echo o > /usr/sbin/only
		echo v > /vol/f; echo s > /scratch/f; echo h >> /etc/hosts'
	assert_status 0
	ctr commit c1 changed:1
	assert_status 0
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	[ "$("$CTR" image inspect -f '{{.Id}}' changed:1)" = "$output" ]
	ctr run --rm --network none changed:1 sh -c '
		cat /added; stat -c %h /added2
		tail -1 /etc/passwd
		[ ! -e /etc/group ] && echo no-group
		[ ! -e /home ] && echo no-home
		stat -c %a /root
		ls /usr/sbin
		[ ! -e /vol/f ] && [ ! -e /scratch/f ] && echo no-mounts
		grep -c "^h$" /etc/hosts || true'
	assert_status 0
	[ "$output" = "$(printf 'new\n2\nmore\nno-group\nno-home\n700\nonly\nno-mounts\n0')" ]
	# a container of the new image has no changes of its own
	ctr create --name c2 changed:1
	ctr diff c2
	[ -z "$output" ]
	ctr rm c2
	ctr run --rm changed:1 sh -c 'ls /usr/sbin' # before the image is saved: still there
	run layer_tar changed:1 1
	assert_status 0
	[[ "$output" == *"etc/.wh.group"* ]]
	[[ "$output" == *".wh.home"* ]]
	[[ "$output" != *"etc/hosts"* ]] && [[ "$output" != *"vol"* ]] && [[ "$output" != *"scratch"* ]]
}

@test "commit: added, changed, deleted files, a deleted dir, chmod, a hard link and a replaced dir are in the new image" {
	commit_changes
	# overlay writes the replaced directory as opaque
	run layer_tar changed:1 1
	[[ "$output" == *"usr/sbin/.wh..wh..opq"* ]]
	# the tar is reproducible: committed again, the layer is the same
	"$CTR" commit c1 changed:2 >/dev/null
	[ "$("$CTR" image inspect -f '{{index .RootFS.Layers 1}}' changed:1)" = "$("$CTR" image inspect -f '{{index .RootFS.Layers 1}}' changed:2)" ]
}

@test "vfs: commit of the same changes, whiteouts from the comparison with the image" {
	on_vfs
	commit_changes
	run layer_tar changed:1 1
	[[ "$output" == *"usr/sbin/.wh.nologin"* ]] || [[ "$output" == *"usr/sbin/.wh."* ]]
}

@test "commit --change CMD, ENV, LABEL, WORKDIR, EXPOSE; the config starts from the container's" {
	ctr run --name c1 --network none -e FROM_RUN=1 -l run=yes -w /tmp busybox sh -c 'echo hi > /tmp/x'
	assert_status 0
	ctr commit -c 'CMD ["cat", "x"]' -c 'ENV MODE=prod' -c 'LABEL team=web' -c 'WORKDIR /tmp' -c 'EXPOSE 8080' c1 conf:1
	assert_status 0
	ctr image inspect -f '{{json .Config.Cmd}} {{.Config.Env}} {{.Config.Labels}} {{.Config.WorkingDir}} {{json .Config.ExposedPorts}}' conf:1
	[ "$output" = '["cat","x"] [PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin FROM_RUN=1 MODE=prod] map[run:yes team:web] /tmp {"8080/tcp":{}}' ]
	ctr run --rm --network none conf:1
	[ "$output" = hi ]
	ctr run --rm --network none conf:1 sh -c 'echo $MODE $FROM_RUN; pwd'
	[ "$output" = "$(printf 'prod 1\n/tmp')" ]
	# without --change the container's command is the image's
	ctr commit c1 conf:2
	ctr image inspect -f '{{json .Config.Cmd}}' conf:2
	[ "$output" = '["sh","-c","echo hi > /tmp/x"]' ]
	ctr commit -c 'HEALTHCHECK --interval=5s CMD true' -c 'ONBUILD RUN echo hi' c1 conf:3
	assert_status 0
	ctr image inspect -f '{{json .Config.Healthcheck.Test}} {{.Config.OnBuild}}' conf:3
	[ "$output" = '["CMD-SHELL","true"] [RUN echo hi]' ]
}

@test "commit -m and -a: inspect's Comment, Author and History, and history's COMMENT" {
	ctr run --name c1 --network none busybox touch /f
	ctr commit -m 'the message' -a 'Ann <ann@example.com>' c1 msg:1
	assert_status 0
	ctr image inspect -f '{{.Comment}}|{{.Author}}|{{len .History}}|{{(index .History 1).comment}}|{{(index .History 1).author}}|{{(index .History 1).created_by}}' msg:1
	[ "$output" = 'the message|Ann <ann@example.com>|2|the message|Ann <ann@example.com>|touch /f' ]
	ctr history --format '{{.CreatedBy}}|{{.Comment}}' msg:1
	[ "$(head -1 <<<"$output")" = 'touch /f|the message' ]
	# docker's config shape: inspect's History is the config's, keys and all
	ctr image inspect -f '{{json (index .History 1)}}' msg:1
	[[ "$output" == '{"author":"Ann <ann@example.com>","comment":"the message","created":"'*'","created_by":"touch /f"}' ]]
}

@test "commit of a running container: paused during, running after; --pause=false; an already paused one stays paused" {
	ctr run -d --name r1 --network none busybox sh -c 'echo one > /f; sleep 60'
	assert_status 0
	sleep 0.3
	ctr commit r1 run:1
	assert_status 0
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.Paused}}' r1)" = "running false" ]
	ctr run --rm --network none run:1 cat /f
	[ "$output" = one ]
	ctr commit --pause=false r1 run:2
	assert_status 0
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.Paused}}' r1)" = "running false" ]
	"$CTR" pause r1
	ctr commit r1 run:3
	assert_status 0
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.Paused}}' r1)" = "paused true" ]
	"$CTR" unpause r1
	ctr exec r1 true
	assert_status 0
}

@test "commit killed while the container is frozen: the thaw guard unpauses it, no work directory or image is left" {
	ctr run -d --name r1 --network none busybox sh -c 'touch /f; sleep 60'
	sleep 0.3
	n=$("$CTR" images -q | wc -l)
	for p in commit:after-mark commit:paused; do
		CTR_LITE_FAULT=$p run -137 "$CTR" commit r1 killed:1
		for _ in $(seq 50); do
			[ "$("$CTR" inspect -f '{{.State.Paused}}' r1)" = false ] && break
			sleep 0.1
		done
		[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.Paused}}' r1)" = "running false" ]
		ctr exec r1 true
		assert_status 0
		grep -q frozen "/sys/fs/cgroup/freezer/ctr-lite/$("$CTR" inspect -f '{{.Id}}' r1)/freezer.state" 2>/dev/null && return 1
	done
	[ "$("$CTR" images -q | wc -l)" -eq "$n" ]
	"$CTR" image prune -f >/dev/null
	[ -z "$(ls "$CTR_LITE_ROOT/overlay/tmp")" ]
}

@test "commit of an unchanged container: an empty_layer history entry, no new layer" {
	ctr create --name c1 busybox true
	ctr commit c1 same:1
	assert_status 0
	ctr image inspect -f '{{len .RootFS.Layers}} {{(index .History 1).empty_layer}}' same:1
	[ "$output" = "1 true" ]
	ctr history --format '{{.Size}}' same:1
	[ "$(head -1 <<<"$output")" = 0B ]
}

@test "history of a committed image: columns, the parent's ID, -q, --no-trunc, -H=false, --format" {
	ctr run --name c1 --network none busybox sh -c 'echo 12345 > /f'
	id=$("$CTR" commit -m note c1 hist:1)
	bb=$("$CTR" image inspect -f '{{.Id}}' busybox)
	ctr history hist:1
	assert_status 0
	[ "$(wc -l <<<"$output")" -eq 3 ]
	[[ "$(head -1 <<<"$output")" =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
	[[ "$(sed -n 2p <<<"$output")" =~ ^${id:7:12}\ +(Less\ than\ a\ second|[0-9]+\ seconds?)\ ago\ +sh\ -c\ echo\ 12345\ \>\ /f\ +[0-9.]+[kB]+\ +note$ ]]
	[[ "$(sed -n 3p <<<"$output")" =~ ^${bb:7:12}\ .*\ 1.9[0-9]MB\ *$ ]]
	ctr history -q hist:1
	[ "$output" = "$(printf '%s\n%s' "${id:7:12}" "${bb:7:12}")" ]
	ctr history -q --no-trunc hist:1
	[ "$output" = "$(printf '%s\n%s' "$id" "$bb")" ]
	ctr history -H=false --format '{{.CreatedSince}}|{{.CreatedAt}}|{{.Size}}' hist:1
	[[ "$(head -1 <<<"$output")" =~ ^20[0-9-]+T[0-9:]+(Z|[+-][0-9:]+)\|20[0-9-]+T[0-9:]+(Z|[+-][0-9:]+)\|[0-9]+$ ]]
	ctr history -H=false hist:1
	[[ "$(head -1 <<<"$output")" =~ ^IMAGE\ +CREATED\ AT\ +CREATED\ BY ]]
	# CREATED BY is cut to 45 characters unless --no-trunc
	ctr run --name c2 --network none busybox sh -c 'echo a very long command line that is cut > /f'
	"$CTR" commit c2 hist:2 >/dev/null
	ctr history --format '{{.CreatedBy}}' hist:2
	[ "$(head -1 <<<"$output")" = 'sh -c echo a very long command line that is …' ]
	ctr history --no-trunc --format '{{.CreatedBy}}' hist:2
	[ "$(head -1 <<<"$output")" = 'sh -c echo a very long command line that is cut > /f' ]
	ctr history --format json hist:1
	[[ "$(head -1 <<<"$output")" == '{"ID":"'${id:7:12}'",'* ]]
	ctr image history -q hist:1
	assert_status 0
}

# history_image: layered.tar with a docker-shaped history (3 layers, and a
# CMD step with no layer), loaded as withhist:1.
history_image() {
	local d=$CTR_LITE_TEST_DIR/withhist
	mkdir -p "$d" && tar -C "$d" -xf "$TESTDATA/layered.tar"
	python3 - "$d" <<-'PY'
	import hashlib, json, os, sys
	d = sys.argv[1]
	m = json.load(open(os.path.join(d, "manifest.json")))
	cfg = json.load(open(os.path.join(d, m[0]["Config"])))
	cfg["history"] = [
	    {"created": "2026-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
	    {"created": "2026-01-02T00:00:00Z", "created_by": "/bin/sh -c mkdir /data /opq /hl", "comment": "second"},
	    {"created": "2026-01-03T00:00:00Z", "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]", "empty_layer": True},
	    {"created": "2026-01-04T00:00:00Z", "created_by": "/bin/sh -c rm /data/gone"},
	]
	raw = json.dumps(cfg).encode()
	name = hashlib.sha256(raw).hexdigest() + ".json"
	open(os.path.join(d, name), "wb").write(raw)
	os.remove(os.path.join(d, m[0]["Config"]))
	m[0]["Config"], m[0]["RepoTags"] = name, ["withhist:1"]
	json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
	PY
	tar -C "$d" -cf "$d.tar" . && "$CTR" load -q -i "$d.tar" >/dev/null
}

@test "history of a loaded image is its config's history, newest first, with each layer's size" {
	history_image
	ctr history --no-trunc --format '{{.ID}}|{{.CreatedBy}}|{{.Comment}}' withhist:1
	assert_status 0
	id=$("$CTR" image inspect -f '{{.Id}}' withhist:1)
	[ "$output" = "$(printf '%s\n' "$id|/bin/sh -c rm /data/gone|" '<missing>|/bin/sh -c #(nop)  CMD ["sh"]|' \
		'<missing>|/bin/sh -c mkdir /data /opq /hl|second' '<missing>|/bin/sh -c #(nop) ADD file:abc in / |')" ]
	ctr history -H=false --format '{{.Size}}' withhist:1
	[ "$(sed -n 2p <<<"$output")" = 0 ]
	[ "$(sed -n 4p <<<"$output")" -gt 1000000 ]
	ctr history --format '{{.CreatedAt}}' withhist:1
	[[ "$(tail -1 <<<"$output")" == 2026-01-01T* ]] || [[ "$(tail -1 <<<"$output")" == 2025-12-31T* ]]
	# inspect shows the same steps, oldest first
	ctr image inspect -f '{{range .History}}{{.created_by}};{{end}}' withhist:1
	[ "$output" = '/bin/sh -c #(nop) ADD file:abc in / ;/bin/sh -c mkdir /data /opq /hl;/bin/sh -c #(nop)  CMD ["sh"];/bin/sh -c rm /data/gone;' ]
	# an image without history lists one step per layer
	"$CTR" load -q -i "$TESTDATA/layered.tar" >/dev/null
	ctr history -q layered
	[ "$(wc -l <<<"$output")" -eq 3 ]
	# a commit on top keeps the history and adds its step; its parent shows by ID
	ctr run --name c1 --network none withhist:1 touch /x
	"$CTR" commit c1 withhist:2 >/dev/null
	ctr history -q --no-trunc withhist:2
	[ "$(sed -n 2p <<<"$output")" = "$id" ]
	[ "$(wc -l <<<"$output")" -eq 5 ]
}

@test "commit errors: no such container, a bad --change, a digest as name: one line, exit 1" {
	ctr commit nonexistent
	assert_status 1
	one_line_error "o such container"
	ctr create --name c1 busybox true
	ctr commit -c 'BOGUS x' c1
	assert_status 1
	one_line_error 'bogus is not a valid change command'
	ctr commit -c 'HEALTHCHECK --bad=1 CMD true' c1
	assert_status 1
	one_line_error 'unknown HEALTHCHECK option'
	ctr commit c1 'app@sha256:0000000000000000000000000000000000000000000000000000000000000000'
	assert_status 1
	one_line_error 'REPOSITORY[:TAG]'
	ctr history nonexistent
	assert_status 1
	one_line_error 'nonexistent'
}

@test "the committed image is a normal image: saved and loaded back, pushed, pulled by skopeo" {
	ctr run --name c1 --network none busybox sh -c 'echo saved > /s; rm /etc/group'
	id=$("$CTR" commit c1 saved:1)
	"$CTR" save -o "$CTR_LITE_TEST_DIR/saved.tar" saved:1
	"$CTR" rm c1 >/dev/null
	"$CTR" rmi saved:1 >/dev/null
	ctr load -i "$CTR_LITE_TEST_DIR/saved.tar"
	assert_status 0
	[ "$("$CTR" image inspect -f '{{.Id}}' saved:1)" = "$id" ]
	ctr run --rm --network none saved:1 sh -c 'cat /s; [ ! -e /etc/group ] && echo gone'
	[ "$output" = "$(printf 'saved\ngone')" ]
	command -v docker-registry >/dev/null || skip "no docker-registry"
	start_registry registry
	reg=$(cat "$CTR_LITE_TEST_DIR/registry/addr")
	"$CTR" tag saved:1 "$reg/t/saved:1"
	ctr push -q "$reg/t/saved:1"
	assert_status 0
	"$CTR" rmi "$reg/t/saved:1" saved:1 >/dev/null
	ctr pull -q "$reg/t/saved:1"
	assert_status 0
	ctr run --rm --network none "$reg/t/saved:1" cat /s
	[ "$output" = saved ]
	if command -v skopeo >/dev/null; then
		run skopeo copy -q --src-tls-verify=false "docker://$reg/t/saved:1" "oci:$CTR_LITE_TEST_DIR/oci:saved"
		stop_registry registry
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	fi
	stop_registry registry
}
