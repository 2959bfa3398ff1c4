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
	ctr image inspect --format '{{.Config.Cmd}} {{.Os}}' busybox
	assert_status 0
	[ "$output" = "[sh] linux" ]
	ctr image inspect busybox
	[[ "$output" == *'"RepoTags": ['* ]]
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
