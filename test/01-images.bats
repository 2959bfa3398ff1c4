#!/usr/bin/env bats
# Images: load in three formats, images, image inspect, rmi.

load helpers
bats_require_minimum_version 1.5.0

@test "load a docker-archive prints the name; images lists it" {
	ctr load -i "$TESTDATA/busybox.tar"
	assert_status 0
	[ "$output" = "Loaded image: busybox:latest" ]
	ctr images
	assert_status 0
	[[ "${lines[0]}" == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
	[[ "$output" == *"busybox "*"latest "* ]]
}

@test "load an OCI archive and an OCI layout directory" {
	ctr load -i "$TESTDATA/busybox-oci.tar"
	assert_status 0
	[ "$output" = "Loaded image: busybox-oci:latest" ]
	ctr load -i "$TESTDATA/busybox-oci"
	assert_status 0
	ctr run --rm busybox-oci echo oci
	[ "$output" = "oci" ]
	ctr rmi busybox-oci
	assert_status 0
}

@test "images -q prints IDs; image inspect shows the config" {
	ctr images -q
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	local ids=$output
	ctr images -a -q # docker scripts' spelling: no intermediate images here
	assert_status 0
	[ "$output" = "$ids" ]
	ctr image inspect --format '{{.Config.Cmd}} {{.Os}}' busybox
	assert_status 0
	[ "$output" = "[sh] linux" ]
	ctr image inspect busybox
	[[ "$output" == *'"RepoTags": ['* ]]
}

@test "load refuses names that would take over an image ID, and a name without its tag" {
	local id dir name
	id=$("$CTR" image inspect -f '{{.Id}}' busybox)
	dir=$BATS_TEST_TMPDIR/spoof
	for name in "$id" "${id#sha256:}:latest" "${id#sha256:}" foo; do
		rm -rf "$dir" && mkdir "$dir"
		tar -xf "$TESTDATA/busybox.tar" -C "$dir"
		sed -i "s|\"busybox:latest\"|\"$name\"|" "$dir/manifest.json"
		tar -cf "$dir.tar" -C "$dir" .
		ctr load -i "$dir.tar"
		assert_status 1
		[ "$(echo "$stderr" | wc -l)" -eq 1 ] && [[ "$stderr" == *"$name"* ]] || { echo "$name: $stderr" >&2; return 1; }
	done
	ctr image inspect -f '{{.Id}} {{.RepoTags}}' "${id#sha256:}"
	[ "$output" = "$id [busybox:latest]" ]
}

@test "load of a file that is not an image fails with 1 and one line" {
	echo junk > "$BATS_TEST_TMPDIR/junk.tar"
	ctr load -i "$BATS_TEST_TMPDIR/junk.tar"
	assert_status 1
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == Error:* ]]
	ctr load -i /nonexistent.tar
	assert_status 1
}

@test "load from stdin" {
	run --separate-stderr sh -c "'$CTR' load < '$TESTDATA/layered.tar'"
	assert_status 0
	[ "$output" = "Loaded image: layered:latest" ]
}

@test "rmi is refused while a container uses the image, unless -f" {
	"$CTR" load -q -i "$TESTDATA/layered.tar"
	"$CTR" create --name user layered true
	ctr rmi layered
	assert_status 1
	[[ "$stderr" == *"used by a container"* ]]
	"$CTR" rm user
	ctr rmi layered
	assert_status 0
	[[ "$output" == *"Untagged: layered:latest"* ]]
	[[ "$output" == *"Deleted: sha256:"* ]]
	ctr image inspect layered
	assert_status 1
}

@test "rmi of an unknown image fails with 1" {
	ctr rmi nosuch
	assert_status 1
	[[ "$stderr" == *"no such image"* ]]
}

@test "an image loaded as NAME is found by docker.io/library/NAME and index.docker.io/library/NAME" {
	"$CTR" load -q -i "$TESTDATA/layered.tar"
	ctr run --rm --pull never index.docker.io/library/layered echo never
	assert_status 0
	[ "$output" = "never" ]
	# the default policy (missing) must find it too, not pull busybox:latest
	ctr run --rm index.docker.io/library/layered:latest echo missing
	assert_status 0
	[ "$output" = "missing" ]
	[ -z "$stderr" ]
	ctr run --rm docker.io/library/layered echo short
	assert_status 0
	[ "$output" = "short" ]
	ctr image inspect --format '{{.Config.Cmd}}' docker.io/layered:latest
	assert_status 0
	ctr tag index.docker.io/library/layered docker.io/library/layered:two
	assert_status 0
	ctr images --format '{{.Repository}}:{{.Tag}}' index.docker.io/library/layered
	[ "$output" = "$(printf 'layered:latest\nlayered:two')" ] || [ "$output" = "$(printf 'layered:two\nlayered:latest')" ]
	ctr rmi index.docker.io/library/layered:two
	assert_status 0
	[ "$output" = "Untagged: layered:two" ]
	ctr rmi docker.io/library/layered
	assert_status 0
}

# oci_archive NAME ANNOTATIONS-JSON: busybox-oci as an OCI archive NAME.tar
# whose index entry carries the given annotations.
oci_archive() {
	local dir=$BATS_TEST_TMPDIR/$1
	cp -r "$TESTDATA/busybox-oci" "$dir"
	jq -c --argjson a "$2" '.manifests[0].annotations = $a' "$TESTDATA/busybox-oci/index.json" >"$dir/index.json"
	tar -C "$dir" -cf "$dir.tar" .
}

@test "load names an OCI image by its annotations, not by the archive's file name" {
	oci_archive debian-oci '{"org.opencontainers.image.ref.name":"bookworm-oci"}'
	ctr load -i "$BATS_TEST_TMPDIR/debian-oci.tar"
	assert_status 0
	[[ "$output" =~ ^"Loaded image ID: sha256:"[0-9a-f]{64}$ ]]
	# the layout holds busybox's config, so the ID is busybox's
	[ "${output#Loaded image ID: }" = "$("$CTR" image inspect --format '{{.Id}}' busybox)" ]
	ctr images --format '{{.Repository}}'
	[[ "$output" != *debian-oci* ]]
	oci_archive named '{"io.containerd.image.name":"docker.io/library/oci-named:bookworm","org.opencontainers.image.ref.name":"bookworm"}'
	ctr load -i "$BATS_TEST_TMPDIR/named.tar"
	assert_status 0
	[ "$output" = "Loaded image: oci-named:bookworm" ]
	ctr run --rm oci-named:bookworm echo named
	[ "$output" = "named" ]
	ctr rmi oci-named:bookworm
	assert_status 0
}
