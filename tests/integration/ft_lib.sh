# Helpers for the fault-tolerance tests (test_ft_*.sh), on top of lib.sh.
#
# The manager runs in $WORK/mgr and names its capture files relatively:
# every NF (a DPDK secondary) replays the manager's net_pcap ports and
# opens their files, which truncates a tx_pcap; the standbys the manager
# starts mid-stream run in $WORK/nf, where those names are other files.

CTL=$BUILD/onvm_mgr/onvmctl

# ft_start_mgr PCAP_ARGS...: the manager in $WORK/mgr with port 0 reading
# in.pcap (plus PCAP_ARGS, e.g. ",infinite_rx=1") and port 1 writing
# out.pcap; the caller is in $WORK/nf afterwards. -w 2: traffic starts
# once an active and its standby run.
ft_start_mgr() {
	mkdir -p "$WORK/mgr" "$WORK/nf"
	cd "$WORK/mgr" || return 1
	start_mgr 0-1 "--vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=sink.pcap$1" \
		"--vdev=net_pcap1,tx_pcap=out.pcap" -- -p 0x3 -c -s none -w 2 || return 1
	cd "$WORK/nf" || return 1
}

# ft SERVICE: onvmctl ft SERVICE's JSON; ft_field SERVICE KEY: one value.
ft() { "$CTL" ft "$1" 2>"$WORK/ft.err"; }
ft_field() { json_get "$(ft "$1")" "$2"; }
ft_protected() { [ "$(ft_field "$1" protected)" = True ]; }

# ft_new_standby SERVICE OLD_PIDS...: a standby other than those runs and
# is in sync.
ft_new_standby() {
	local svc=$1 p old
	shift
	p=$(ft_field "$svc" standby_pid)
	[ "$p" -gt 0 ] || return 1
	for old in "$@"; do [ "$p" != "$old" ] || return 1; done
	ft_protected "$svc"
}

rx_at_least() { [ "$(port_field 0 rx)" -ge "$1" ]; }

# The finite replay is over: port 0 read all FRAMES and port 1 went idle.
tx_settled() {
	local a b
	a=$(port_field 1 tx)
	sleep 1
	b=$(port_field 1 tx)
	[ "$(port_field 0 rx)" = "$1" ] && [ "$a" = "$b" ]
}

# Frames the platform counted as lost for SERVICE: at failovers, for want
# of an instance, at the entry.
ft_counted_losses() {
	local lost no_inst entry
	lost=$(ft_field "$1" lost_at_failover)
	no_inst=$(json_get "$(telemetry /onvm/drops)" "/onvm/drops.no_instance")
	entry=$(port_field 0 entry_drop)
	echo $((lost + no_inst + entry))
}
