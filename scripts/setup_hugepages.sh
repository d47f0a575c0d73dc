#!/usr/bin/env bash
# Reserve 2 MB hugepages and mount hugetlbfs (as root). Idempotent.
#   scripts/setup_hugepages.sh [PAGES]   (default 1024 = 2 GiB)
set -euo pipefail
want=${1:-1024}
have=$(cat /proc/sys/vm/nr_hugepages)
if [ "$have" -lt "$want" ]; then
	echo "$want" >/proc/sys/vm/nr_hugepages
	have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$have" -lt "$want" ]; then
		echo "setup_hugepages: asked for $want pages, the kernel gave $have" >&2
	fi
fi
if ! grep -qs '^[^ ]* /dev/hugepages hugetlbfs' /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages
fi
echo "setup_hugepages: $(cat /proc/sys/vm/nr_hugepages) x 2 MB pages, hugetlbfs on /dev/hugepages"
