#!/usr/bin/env bats
# --log-driver none, passthrough and journald (issue 12).

load helpers
bats_require_minimum_version 1.5.0

@test "log-driver none: no log file, attach still sees the output, logs cannot read" {
	"$CTR" run -d --name n1 --log-driver none busybox sh -c 'sleep 0.5; for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.2; done; exit 3' >/dev/null
	ctr attach n1
	assert_status 3
	[[ "$output" == *out3* ]] || { echo "$output"; false; }
	[[ "$stderr" == *err3* ]] || { echo "$stderr"; false; }
	id=$("$CTR" inspect -f '{{.Id}}' n1)
	[ ! -e "$CTR_LITE_ROOT/containers/$id/$id-json.log" ] || { ls -l "$CTR_LITE_ROOT/containers/$id"; false; }
	ctr logs n1
	assert_status 1
	one_line_error "configured logging driver does not support reading"
	# attached: the output is the caller's, and nothing is kept
	ctr run --name n2 --log-driver none busybox sh -c 'echo hi; echo oops >&2'
	assert_status 0
	[ "$output" = hi ] && [ "$stderr" = oops ]
	id=$("$CTR" inspect -f '{{.Id}}' n2)
	[ ! -e "$CTR_LITE_ROOT/containers/$id/$id-json.log" ]
	ctr run --rm --log-driver none --log-opt max-size=1m busybox true
	assert_status 125
	one_line_error "log driver none takes no options"
}
