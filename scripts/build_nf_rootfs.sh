#!/usr/bin/env bash
# Build the minimal root file system an NF runs in with `go.sh NF --container`:
# the NF binary, the shared libraries it links (its ldd closure), DPDK's
# driver plugin directory as Debian installs it (a shared-DPDK build loads
# every plugin there at start, as the manager does, so both number the
# mempool drivers alike) with the plugins' own libraries, and the few /etc
# files a process expects. Nothing else: no shell, no package manager.
#
#   scripts/build_nf_rootfs.sh [-b BUILD_DIR] [NF ...]
#
# Writes BUILD_DIR/rootfs/NF/ for each NF given (default: every NF the build
# has). Rebuild after rebuilding an NF: go.sh refuses a root file system
# whose binary differs from the build's. The Containerfile next to this
# script turns one into an image for docker or podman.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${ONVM_BUILD_DIR:-$root/build}

usage() {
	echo "usage: scripts/build_nf_rootfs.sh [-b BUILD_DIR] [NF ...]" >&2
	exit 2
}

while getopts "b:h" opt; do
	case "$opt" in
	b) builddir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case "$builddir" in /*) ;; *) builddir=$PWD/$builddir ;; esac

if [ ! -d "$builddir/nfs" ]; then
	echo "build_nf_rootfs: $builddir is not a build directory: run 'meson setup build && ninja -C build'" >&2
	exit 1
fi

nfs=("$@")
if [ ${#nfs[@]} -eq 0 ]; then
	for d in "$root"/nfs/*/; do
		nf=$(basename "$d")
		[ -x "$builddir/nfs/$nf/$nf" ] && nfs+=("$nf")
	done
fi

# DPDK's plugin directory, for a build that links DPDK as shared libraries.
# A static build has every driver inside the binary and loads none.
pmds_dir() {
	local link dir
	link=$(python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "dpdk_link"), ""))' \
		"$builddir/meson-info/intro-buildoptions.json" 2>/dev/null || true)
	[ "$link" = static ] && return 0
	dir=$(pkg-config --variable=pmdsdir libdpdk 2>/dev/null || true)
	if [ -z "$dir" ]; then
		# Debian's libdpdk.pc has no pmdsdir: EAL's default is libdir/dpdk/pmds-ABI.
		dir=$(ls -d "$(pkg-config --variable=libdir libdpdk)"/dpdk/pmds-* 2>/dev/null | tail -1)
	fi
	[ -n "$dir" ] && [ -d "$dir" ] && echo "$dir"
}

# The shared libraries FILE needs, as absolute paths (ldd resolves the whole
# closure, the dynamic loader included).
libs_of() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# copy_file ROOTFS PATH: PATH into ROOTFS at the same place, symlinks in the
# last component kept as symlinks (with their targets), directories followed.
copy_file() {
	local rootfs=$1 path=$2 target
	[ -e "$rootfs$path" ] || [ -L "$rootfs$path" ] && return 0
	mkdir -p "$rootfs$(dirname "$path")"
	if [ -L "$path" ]; then
		target=$(readlink "$path")
		ln -s "$target" "$rootfs$path"
		case "$target" in /*) ;; *) target=$(dirname "$path")/$target ;; esac
		copy_file "$rootfs" "$target"
	else
		cp "$path" "$rootfs$path"
	fi
}

build_one() {
	local nf=$1 pmds=$2 bin="$builddir/nfs/$1/$1"
	local out="$builddir/rootfs/$nf" tmp="$builddir/rootfs/.$nf.tmp"
	local -a files=()

	if [ ! -x "$bin" ]; then
		echo "build_nf_rootfs: $nf is not built ($bin missing)" >&2
		return 1
	fi
	rm -rf "$tmp"
	mkdir -p "$tmp"/usr/{bin,lib,lib64} "$tmp"/{etc,dev,proc,sys,run,tmp,var}
	# Debian's merged /usr: /lib and /lib64 are where ldd names libraries.
	ln -s usr/bin "$tmp/bin"
	ln -s usr/lib "$tmp/lib"
	ln -s usr/lib64 "$tmp/lib64"
	ln -s ../run "$tmp/var/run"
	chmod 1777 "$tmp/tmp"
	install -m 0755 "$bin" "$tmp/usr/bin/$nf"
	ln -s "$nf" "$tmp/usr/bin/onvm-nf" # the Containerfile's entry point

	mapfile -t files < <(libs_of "$bin")
	if [ -n "$pmds" ]; then
		local p
		for p in "$pmds"/*; do
			files+=("$p")
			[ -L "$p" ] || mapfile -t -O "${#files[@]}" files < <(libs_of "$p")
		done
	fi
	# glibc loads libgcc_s when a thread is cancelled or exits by unwinding.
	local gcc_s
	gcc_s=$(ldconfig -p 2>/dev/null | awk '/libgcc_s.so.1 .*x86-64/ { print $NF; exit }')
	[ -n "$gcc_s" ] && files+=("$gcc_s")
	local f
	for f in $(printf '%s\n' "${files[@]}" | sort -u); do
		copy_file "$tmp" "$f"
	done

	printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n' >"$tmp/etc/passwd"
	printf 'root:x:0:\n' >"$tmp/etc/group"
	printf 'NAME="onvm NF %s"\nID=onvm-nf\n' "$nf" >"$tmp/etc/os-release"

	rm -rf "$out"
	mv "$tmp" "$out"
	echo "build_nf_rootfs: $nf: $(du -sh "$out" | cut -f1) in ${out#"$PWD"/}"
}

pmds=$(pmds_dir)
mkdir -p "$builddir/rootfs"
rc=0
for nf in "${nfs[@]}"; do
	build_one "$nf" "$pmds" || rc=1
done
exit $rc
