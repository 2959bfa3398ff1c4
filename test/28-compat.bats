#!/usr/bin/env bats
# README's docker compatibility tables stay true: every row marked yes is
# a command (or run flag) ctr-lite has, every row marked no is not.

load helpers
bats_require_minimum_version 1.5.0

README=$BATS_TEST_DIRNAME/../README.md

setup_file() { :; }
teardown() { :; }
teardown_file() { :; }

# rows SECTION prints "NAME<tab>yes|no" for each row of a compat table;
# a cell naming several commands (`a`, `b`) gives a row for each.
rows() {
	sed -n "/<!-- compat:$1 -->/,/<!-- \/compat:$1 -->/p" "$README" |
		awk -F'|' 'NR > 3 && NF > 3 { gsub(/^ +| +$/, "", $3); n = split($2, names, ","); for (i = 1; i <= n; i++) { name = names[i]; gsub(/[` ]+/, " ", name); gsub(/^ +| +$/, "", name); print name "\t" $3 } }'
}

# is_command WORDS: ctr-lite has the command (its help names it, rather
# than falling back to the parent's).
is_command() {
	"$CTR" $1 --help 2>/dev/null | grep -q "^  ctr-lite $1\( \|$\)"
}

@test "README's command table matches ctr-lite's commands" {
	local n=0 bad=""
	while IFS=$'\t' read -r name have; do
		n=$((n + 1))
		if is_command "$name"; then has=yes; else has=no; fi
		[ "$has" = "$have" ] || bad="$bad $name(README: $have, ctr-lite: $has)"
	done < <(rows commands)
	[ "$n" -gt 60 ] || { echo "only $n rows"; false; }
	[ -z "$bad" ] || { echo "mismatch:$bad"; false; }
}

@test "README's run flag table matches run --help, and lists all of docker's 104 run flags" {
	local help n=0 bad=""
	help=$("$CTR" run --help)
	while IFS=$'\t' read -r flag have; do
		n=$((n + 1))
		if grep -qE -- "(^|[ ,])$flag( |$)" <<<"$help"; then has=yes; else has=no; fi
		[ "$has" = "$have" ] || bad="$bad $flag(README: $have, ctr-lite: $has)"
	done < <(rows run-flags)
	[ "$n" -eq 104 ] || { echo "$n rows, docker run has 104 flags"; false; }
	[ -z "$bad" ] || { echo "mismatch:$bad"; false; }
}
