#!/usr/bin/env bash
# Start an NF against a running manager.
#
#   ./go.sh NF_NAME [-r SERVICE] [-n INSTANCE] [-l LCORE] [--container]
#           [--ft [--ft-epoch-ms MS]] [-- NF args]
#
# SERVICE is an id or a name (default: the NF's name). INSTANCE is the
# instance number to take in the service (default: the lowest free; the
# manager refuses one that runs already). LCORE is a CPU (default: the
# manager picks a free NF core). ONVM_FILE_PREFIX=P reaches the manager
# started with --file-prefix P.
#
# --container runs the same NF in a container that shares only the hugepage
# mounts and the manager's DPDK runtime directory (docs/operations.md,
# "Containers"): docker or podman when their engine answers, else
# systemd-nspawn on the root file system scripts/build_nf_rootfs.sh builds.
# ONVM_CONTAINER_RUNTIME=docker|podman|nspawn forces one; NF arguments that
# name existing files are shared read-only, ONVM_CONTAINER_BIND="DIR ..."
# shares more (read-write, same path).
#
# --ft runs the NF fault-tolerant (docs/fault-tolerance.md): this process
# is the active instance, and the manager starts a standby from its
# command line; every epoch (--ft-epoch-ms, default 5) the flows it
# touched are checkpointed into the standby, and what it emits leaves once
# the checkpoint covering it is there. If it dies, the standby takes over.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
builddir=${ONVM_BUILD_DIR:-$root/build}

usage() {
	echo "usage: ./go.sh NF_NAME [-r SERVICE] [-n INSTANCE] [-l LCORE] [--container] [--ft [--ft-epoch-ms MS]] [-- NF args]" >&2
	echo "NFs: $(cd "$root/nfs" && ls -d */ 2>/dev/null | tr -d / | tr '\n' ' ')" >&2
	exit 2
}

[ $# -ge 1 ] || usage
nf=$1
shift
case "$nf" in -h|--help) usage ;; esac

if [ ! -d "$root/nfs/$nf" ] || [[ "$nf" == */* ]]; then
	echo "go.sh: unknown NF '$nf' (available: $(cd "$root/nfs" && ls -d */ | tr -d / | tr '\n' ' '))" >&2
	exit 1
fi
bin="$builddir/nfs/$nf/$nf"
if [ ! -x "$bin" ]; then
	echo "go.sh: $nf is not built ($bin missing): run 'meson setup build && ninja -C build'" >&2
	exit 1
fi

eal=() lib=() container=0
while [ $# -gt 0 ]; do
	case "$1" in
	-r) [ $# -ge 2 ] || usage; lib+=(-r "$2"); shift 2 ;;
	-n) [ $# -ge 2 ] || usage; lib+=(-n "$2"); shift 2 ;;
	-l) [ $# -ge 2 ] || usage
	    [[ "$2" =~ ^[0-9]+$ ]] || { echo "go.sh: -l takes one CPU number" >&2; exit 2; }
	    eal+=(-l "$2"); shift 2 ;;
	--container) container=1; shift ;;
	--ft) lib+=(--ft); shift ;;
	--ft-epoch-ms) [ $# -ge 2 ] || usage
	    [[ "$2" =~ ^[0-9]+$ ]] || { echo "go.sh: --ft-epoch-ms takes a number of milliseconds" >&2; exit 2; }
	    lib+=(--ft-epoch-ms "$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "go.sh: unknown option '$1'" >&2; usage ;;
	esac
done

prefix=${ONVM_FILE_PREFIX:-rte}
eal+=(--file-prefix "$prefix" --proc-type=secondary)

if [ "$container" = 1 ]; then
	source "$root/scripts/container.sh"
	container_exec "$@" # never returns
fi
exec "$bin" "${eal[@]}" -- "${lib[@]}" -- "$@"
