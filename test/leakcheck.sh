#!/usr/bin/env bash
# leakcheck [DIR]: fail if ctr-lite left anything on the machine: mounts or
# processes under DIR (default: every ctr-lite test dir), bind-mounted
# network namespaces, veths, runc processes or cgroups of its containers.
set -u
dir=${1:-/tmp/ctr-lite-test.}
fail=0
say() { echo "leakcheck: $*" >&2; fail=1; }

mounts=$(grep -F "$dir" /proc/self/mountinfo)
[ -z "$mounts" ] || say "mounts left: $mounts"
procs=$(pgrep -af -- "$dir" | grep -v leakcheck)
[ -z "$procs" ] || say "processes left: $procs"
nsfs=$(awk '$9=="nsfs" && $5 ~ /ctr-lite/' /proc/self/mountinfo)
[ -z "$nsfs" ] || say "network namespaces left: $nsfs"
# A namespace's veths are reaped by the kernel shortly after it goes.
for _ in $(seq 20); do
	veths=$(ip -o link show type veth 2>/dev/null | grep -E 'vctr|ctrlite' || true)
	[ -z "$veths" ] && break
	sleep 0.1
done
[ -z "$veths" ] || say "veths left: $veths"
# Bridges of the suite's own default networks (ctrlite-t*: bats files,
# ctrlite-g*: Go tests) and rules naming them go with system reset.
bridges=$(ip -o link show type bridge 2>/dev/null | grep -oE 'ctrlite-[tg][0-9]+' || true)
[ -z "$bridges" ] || say "test bridges left: $bridges"
rules=$( (nft list table ip ctr-lite; nft list table ip6 ctr-lite) 2>/dev/null | grep -E 'ctrlite-[tg][0-9]+' || true)
[ -z "$rules" ] || say "test nftables rules left: $rules"
ports=$(grep -rlF -- "$dir" /run/ctr-lite/ports 2>/dev/null)
[ -z "$ports" ] || say "host port leases left: $ports"
cgroups=$(find /sys/fs/cgroup/*/ctr-lite /sys/fs/cgroup/ctr-lite -mindepth 1 -maxdepth 1 -type d 2>/dev/null)
[ -z "$cgroups" ] || say "container cgroups left: $cgroups"
exit $fail
