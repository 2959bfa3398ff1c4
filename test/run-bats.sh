#!/usr/bin/env bash
# Runs the bats suite and ends with a plain "bats: N passed, N failed"
# line, so CI logs say how many tests ran whatever the formatter.
set -uo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bats "$@" | tee "$out"
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
echo "bats: $passed passed, $failed failed"
exit "$status"
