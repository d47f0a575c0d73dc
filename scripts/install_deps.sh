#!/usr/bin/env bash
# Install what building and testing the platform needs (Debian 12, as root).
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config python3-pyelftools
	dpdk dpdk-dev libdpdk-dev libnuma-dev libpcap-dev libjansson-dev
	libhyperscan-dev libpcre2-dev
	libmicrohttpd-dev  # the manager's --web dashboard, /api/stats and /metrics
	libsystemd-dev  # -Ddpdk_link=static: DPDK's static link names -lsystemd
	# tests
	libcmocka-dev clang libclang-rt-14-dev python3 python3-scapy tshark
	iproute2 iputils-ping netcat-openbsd iperf3 ethtool curl procps util-linux
	openvswitch-common openvswitch-switch python3-os-ken
	linux-perf  # tests/bench/run.sh --perf
	tcpreplay tcpdump  # tests/integration/test_qoe_live.sh: live RTP with its timing, a reference capture
	wireshark-common  # dumpcap (comes with tshark): tests/integration/make_web_capture.sh
	systemd-container  # systemd-nspawn: go.sh --container where no docker/podman engine runs
	chromium fonts-dejavu-core  # tests/integration/test_web_chromium.sh: the dashboard in a browser
	python3-prometheus-client  # tests/integration/test_web.sh: /metrics read by Prometheus' parser
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install_deps: everything is installed"
	exit 0
fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
