# Sourced by go.sh for --container: runs the NF in a container that shares
# only what a DPDK secondary needs from the host, the hugepage mounts and the
# manager's runtime directory (/var/run/dpdk/PREFIX: its config, memory
# maps and multi-process socket, and the NFs' lock files).
#
# Uses go.sh's variables: nf, bin, builddir, prefix, eal (EAL options), lib
# (NF library options). container_exec NF_ARGS... replaces the shell with
# the container runtime, so go.sh's pid is the runtime's: signals sent to it
# reach the NF, and killing it ends the container.

# One line naming why nothing can run a container, and exit 1.
container_fail() {
	echo "go.sh: --container: $*" >&2
	exit 1
}

# Whether a program is installed (a regular executable file on PATH).
have() {
	local p
	p=$(command -v "$1") && [ -f "$p" ] && [ -x "$p" ]
}

# The runtime to use: ONVM_CONTAINER_RUNTIME, else docker or podman when
# their engine answers (`info` succeeds), else systemd-nspawn.
container_runtime() {
	local want=${ONVM_CONTAINER_RUNTIME:-auto} engine
	case "$want" in
	auto)
		for engine in docker podman; do
			if have "$engine" &&
				timeout 10 "$engine" info >/dev/null 2>&1; then
				echo "$engine"
				return 0
			fi
		done
		have systemd-nspawn && { echo nspawn; return 0; }
		container_fail "no container runtime works here (docker and podman have no" \
			"engine that answers, systemd-nspawn is not installed: apt-get install" \
			"systemd-container)"
		;;
	docker | podman)
		have "$want" || container_fail "$want is not installed"
		timeout 10 "$want" info >/dev/null 2>&1 ||
			container_fail "$want's engine does not answer ('$want info' fails)"
		echo "$want"
		;;
	nspawn)
		have systemd-nspawn ||
			container_fail "systemd-nspawn is not installed (apt-get install systemd-container)"
		echo nspawn
		;;
	*) container_fail "ONVM_CONTAINER_RUNTIME must be docker, podman or nspawn, not '$want'" ;;
	esac
}

# Mount points of every hugetlbfs: the manager's hugepage files are on one.
hugepage_mounts() {
	awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts | sort -u
}

# EAL's runtime directory for the prefix, as EAL computes it.
runtime_dir() {
	if [ "$(id -u)" = 0 ]; then
		echo "/var/run/dpdk/$prefix"
	else
		echo "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix"
	fi
}

# An rlimit as the runtimes write it: a number or "infinity".
limit_value() {
	[ "$1" = unlimited ] && echo infinity || echo "$1"
}

# NF arguments that name existing files or directories are shared read-only
# at their absolute path, and passed as that path (the container starts in
# /). Sets nf_args and shared_ro.
share_nf_args() {
	local a abs
	nf_args=() shared_ro=()
	for a in "$@"; do
		if [ -n "$a" ] && [ "${a#-}" = "$a" ] && [ -e "$a" ]; then
			abs=$(realpath -s -- "$a")
			shared_ro+=("$abs")
			nf_args+=("$abs")
		else
			nf_args+=("$a")
		fi
	done
}

container_exec() {
	local runtime rundir machine rootfs nfcmd
	local -a opts=() bind
	local p

	runtime=$(container_runtime) || exit 1
	rundir=$(runtime_dir)
	if [ ! -d "$rundir" ]; then
		local hint=""
		[ -n "${ONVM_FILE_PREFIX:-}" ] || hint=" or set ONVM_FILE_PREFIX"
		echo "go.sh: no manager is running (file prefix '$prefix'); start onvm_mgr first$hint" >&2
		exit 1
	fi
	# DPDK names a secondary's own memory map file by its pid, and an NF
	# is pid 1 in every container: a second one could not lock that file
	# (EAL's "Cannot initialize local memory map").
	for p in "$rundir"/fbarray_memseg-*_1; do
		[ -e "$p" ] && ! flock -n "$p" true 2>/dev/null &&
			container_fail "another container NF runs on this manager (file prefix" \
				"'$prefix'): DPDK names a secondary's memory map by its pid, 1 in" \
				"every container, so one container NF per manager for now"
	done
	share_nf_args "$@"
	read -r -a bind <<<"${ONVM_CONTAINER_BIND:-}"
	for p in "${bind[@]}"; do
		[ -e "$p" ] || container_fail "ONVM_CONTAINER_BIND: $p does not exist"
	done
	nfcmd=("/usr/bin/$nf" "${eal[@]}" -- "${lib[@]}" -- "${nf_args[@]}")
	# Machine names are host names: no '_'. The pid keeps two apart.
	machine="onvm-${nf//_/-}-$$"

	case "$runtime" in
	nspawn)
		rootfs=$builddir/rootfs/$nf
		[ -x "$rootfs/usr/bin/$nf" ] ||
			container_fail "no root file system for $nf ($rootfs): build it with" \
				"scripts/build_nf_rootfs.sh -b $builddir $nf"
		cmp -s "$bin" "$rootfs/usr/bin/$nf" ||
			container_fail "the root file system of $nf is older than its build:" \
				"rebuild it with scripts/build_nf_rootfs.sh -b $builddir $nf"
		for p in $(hugepage_mounts) "$rundir" "${bind[@]}"; do
			opts+=("--bind=$p")
		done
		for p in "${shared_ro[@]}"; do
			opts+=("--bind-ro=$p")
		done
		# Without systemd as init (a container, CI) there is no bus to ask
		# for a scope: stay in the caller's cgroup.
		[ -d /run/systemd/system ] || opts+=(--keep-unit)
		# The NF is the container's PID 1, nspawn's child: on SIGINT or
		# SIGTERM nspawn passes SIGINT on (a clean stop), and the NF
		# library, seeing itself pid 1, dies with nspawn (kill -9 of
		# nspawn ends the container; nspawn's --as-pid2 stub init would
		# outlive it, and turns a stop into SIGTERM then SIGHUP).
		# --volatile=overlay: the root file system stays read-only under a
		# throw-away layer, so any number of NFs share one.
		exec systemd-nspawn --quiet --register=no --console=pipe \
			--kill-signal=SIGINT --volatile=overlay \
			--directory="$rootfs" --machine="$machine" \
			--resolv-conf=off --timezone=off --link-journal=no \
			--rlimit=RLIMIT_NOFILE="$(limit_value "$(ulimit -Sn)"):$(limit_value "$(ulimit -Hn)")" \
			--rlimit=RLIMIT_MEMLOCK="$(limit_value "$(ulimit -Sl)"):$(limit_value "$(ulimit -Hl)")" \
			--setenv=ONVM_FILE_PREFIX="$prefix" \
			"${opts[@]}" -- "${nfcmd[@]}"
		;;
	docker | podman)
		local image=${ONVM_CONTAINER_IMAGE:-onvm-nf-$nf}
		"$runtime" image inspect "$image" >/dev/null 2>&1 ||
			container_fail "no $runtime image '$image': build it with" \
				"scripts/build_nf_rootfs.sh -b $builddir $nf &&" \
				"$runtime build -t $image -f scripts/Containerfile $builddir/rootfs/$nf"
		for p in $(hugepage_mounts) "$rundir" "${bind[@]}"; do
			opts+=(-v "$p:$p")
		done
		for p in "${shared_ro[@]}"; do
			opts+=(-v "$p:$p:ro")
		done
		# --init: a small init is PID 1 and passes signals on, as with
		# nspawn; the NF needs no network (its packets are in hugepages,
		# its manager's socket a file in the runtime directory).
		exec "$runtime" run --rm --init --name "$machine" --network=none \
			--stop-signal=SIGINT --cap-add=SYS_NICE --cap-add=IPC_LOCK \
			--ulimit nofile="$(ulimit -Sn | sed s/unlimited/-1/):$(ulimit -Hn | sed s/unlimited/-1/)" \
			-e ONVM_FILE_PREFIX="$prefix" "${opts[@]}" \
			--entrypoint "/usr/bin/$nf" "$image" "${nfcmd[@]:1}"
		;;
	esac
}
