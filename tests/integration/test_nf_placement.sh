#!/usr/bin/env bash
# Where NFs land. The manager on one lcore (CPU 0: control and data path
# together) leaves the other CPUs to NFs: an NF started without a CPU must
# not run on CPU 0, by the manager's word and by what the kernel lets the
# process run on; the same under -c (NFs share one CPU, still not the
# control one). An NF that asks for CPU 0 (go.sh -l 0) gets it, and the
# manager says it was asked.
source "$(dirname "$0")/lib.sh"
test_init nf_placement

allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
[ "$(nproc)" -ge 2 ] || skip "one CPU: NFs can only share the control CPU"
case ",$allowed," in
*,0,* | *,0-*) ;;
*) skip "CPU 0 is not ours (allowed: $allowed)" ;;
esac

# cpu_of_nf PID: the CPUs the kernel lets the NF's main thread run on.
cpu_of_nf() {
	local pid
	pid=$(json_get "$(telemetry /onvm/nfs)" "/onvm/nfs.$(nf_id_of "$1").pid")
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status"
}
# joined_cpu N: the CPU the manager announced for the Nth NF that joined.
joined_cpu() {
	grep "joined service" "$MGR_LOG" | sed -n "${1}s/.* on cpu \([0-9]*\).*/\1/p"
}
not_control() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" != 0 ]; }

for mode in plain shared; do
	flag=()
	[ $mode = shared ] && flag=(-c)
	start_mgr 0 --vdev=net_null0 -- -p 0x1 -s none "${flag[@]}" || finish
	log "$mode: $(grep -m1 "NFs go\|NFs share" "$MGR_LOG")"
	start_nf simple_forward -r 1 || finish
	a=$NF_PID
	start_nf simple_forward -r 2 || finish
	b=$NF_PID
	ca=$(cpu_of_nf "$a") cb=$(cpu_of_nf "$b")
	log "$mode: the manager put them on CPUs $(joined_cpu 1) and $(joined_cpu 2);" \
		"the kernel runs them on $ca and $cb"
	check "$mode: the manager put the first NF off the control CPU" not_control "$(joined_cpu 1)"
	check "$mode: and the second" not_control "$(joined_cpu 2)"
	check "$mode: the kernel runs the first NF off CPU 0" not_control "$ca"
	check "$mode: and the second" not_control "$cb"
	if [ $mode = shared ]; then
		check "shared: the two NFs share one CPU" test "$ca" = "$cb"
	else
		start_nf simple_forward -r 3 -l 0 || finish
		check "an NF that asks for CPU 0 gets it" test "$(cpu_of_nf "$NF_PID")" = 0
		check "and the manager says it was asked" \
			grep -q "on cpu 0 (the control CPU, as asked)" "$MGR_LOG"
	fi
	check "$mode: manager exits 0" stop_mgr
done
finish
