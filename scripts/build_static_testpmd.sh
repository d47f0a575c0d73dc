#!/usr/bin/env bash
# Builds dpdk-testpmd linked statically, the way a `-Ddpdk_link=static` build
# of the platform links DPDK, so that the benchmark compares like with like:
# Debian's own dpdk-testpmd uses the shared libraries, which cost every mbuf
# allocation and free a call through __tls_get_addr (docs/benchmarking.md).
#
#   scripts/build_static_testpmd.sh [BUILD_DIR]     (default: build-static)
#
# BUILD_DIR must be a platform build configured with -Ddpdk_link=static and
# built (its libdpdk_static.a is linked in). The testpmd sources are those of
# the installed DPDK, from Debian's source package, fetched with apt into a
# temporary directory (the system's apt sources and indices are not
# touched). Writes BUILD_DIR/dpdk-testpmd, which tests/bench/run.sh then uses
# as the reference whenever ONVM_BUILD_DIR is that build. Needs network
# access to the Debian archive; takes about a minute.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build-static}
[[ $build = /* ]] || build=$root/$build
archive=$build/libdpdk_static.a
link_rest=$build/dpdk_static_link_rest.txt # meson.build: what goes beside the archive

die() { echo "build_static_testpmd: $*" >&2; exit 1; }

[[ -f $archive && -f $link_rest ]] ||
	die "$archive or $link_rest missing: configure and build first:" \
	"meson setup ${1:-build-static} -Ddpdk_link=static && ninja -C ${1:-build-static}"
version=$(dpkg-query -W -f='${source:Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (scripts/install_deps.sh)"
upstream=${version%%-*}
upstream=${upstream#*:}
# shellcheck source=/dev/null
. /etc/os-release
[[ -n ${VERSION_CODENAME:-} ]] || die "no VERSION_CODENAME in /etc/os-release"

tmp=$(mktemp -d /tmp/onvm_testpmd.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# A private apt state: deb-src entries for this release, its own indices and
# cache, so that nothing of the system's apt configuration changes.
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src"
cat > "$tmp/sources.list" <<EOF
deb-src http://deb.debian.org/debian $VERSION_CODENAME main
deb-src http://deb.debian.org/debian $VERSION_CODENAME-updates main
deb-src http://deb.debian.org/debian-security $VERSION_CODENAME-security main
EOF
apt_private=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=$tmp/none"
	     -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
	     -o "APT::Sandbox::User=root")
echo "build_static_testpmd: fetching Debian's dpdk $version source"
apt-get "${apt_private[@]}" -qq update ||
	die "apt-get update of the deb-src indices failed (network?)"
(cd "$tmp/src" && apt-get "${apt_private[@]}" -qq source --download-only "dpdk=$version") ||
	die "apt-get source dpdk=$version failed"

shopt -s nullglob
origs=("$tmp/src/dpdk_$upstream.orig.tar."*)
[[ ${#origs[@]} -gt 0 ]] || die "no upstream tarball for $upstream among: $(ls "$tmp/src")"
tar -xf "${origs[0]}" -C "$tmp/src" --wildcards '*/app/test-pmd/*' '*/lib/eal/linux/include/*'
srcdirs=("$tmp"/src/dpdk-*/)
[[ ${#srcdirs[@]} -gt 0 ]] || die "the tarball has no dpdk-* directory"
srcdir=${srcdirs[0]}

# testpmd.c includes the mlx5 driver's testpmd commands when DPDK has that
# driver; their sources live in the driver's directory, which Debian does
# not install. Everything else testpmd needs is in the installed headers
# (plus rte_os_shim.h, EAL-internal, from the same tarball).
printf '#include <rte_config.h>\n#undef RTE_NET_MLX5\n' > "$tmp/config_shim.h"

# Linked as the platform's static build links DPDK: the merged archive,
# then the arguments meson.build put beside it (system libraries, shared).
read -r -a system_libs < "$link_rest"
echo "build_static_testpmd: compiling testpmd against $archive"
# shellcheck disable=SC2046  # pkg-config's flags are words
cc -O3 -march=native -w -include "$tmp/config_shim.h" \
	$(pkg-config --cflags libdpdk) -I"$srcdir/lib/eal/linux/include" -I"$srcdir/app/test-pmd" \
	-DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API \
	"$srcdir"/app/test-pmd/*.c -o "$build/dpdk-testpmd.tmp" \
	"$archive" "${system_libs[@]}" 2> "$tmp/cc.log" || {
	grep -v 'warning:' "$tmp/cc.log" | tail -20 >&2
	die "compiling testpmd failed"
}
mv "$build/dpdk-testpmd.tmp" "$build/dpdk-testpmd"
echo "build_static_testpmd: $build/dpdk-testpmd (DPDK $version, linked static)"
