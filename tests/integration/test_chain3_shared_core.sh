#!/usr/bin/env bash
# Three NFs in shared-core mode (-c) on one CPU form a chain 1 -> 2 -> 3;
# the capture comes out byte-identical and in order, the kernel runs all
# three on the same CPU, and once the traffic is over each NF sleeps in its
# futex instead of spinning the others out.
source "$(dirname "$0")/lib.sh"
test_init chain3_shared

in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -c -w 3 -s none
# Downstream last on purpose: any start order works.
start_nf simple_forward -r 1 -- -d 2
nf1=$(nf_id_of "$NF_PID")
start_nf simple_forward -r 3
nf3=$(nf_id_of "$NF_PID")
# -w 3 holds the traffic until the third NF joins: read the others before.
before=$(telemetry /onvm/nfs)
start_nf simple_forward -r 2 -- -d 3
nf2=$(nf_id_of "$NF_PID")
expected=$(pcap_count "$in")
wait_for 60 test "$(port_field 1 tx)" -ge "$expected"
replayed=$(telemetry /onvm/nfs)
# Idle after the replay: a sleeping NF futex-waits (its 50 ms timeout
# counts as a wake-up too), a spinning one never does. The replay itself
# is not the window: it takes a fraction of a second, the NFs barely sleep
# in it, and a sleep begun before it would count.
sleep 0.5
after=$(telemetry /onvm/nfs)

# field JSON NF_ID NAME: an NF's counter in a /onvm/nfs answer, 0 when the
# NF was not there yet.
field() {
	"$SYS_PYTHON" -c 'import json,sys
print(json.loads(sys.argv[1])["/onvm/nfs"].get(sys.argv[2], {}).get(sys.argv[3], 0))' "$@"
}
for id in "$nf1" "$nf2" "$nf3"; do
	w0=$(field "$before" "$id" wakeups)
	w1=$(field "$replayed" "$id" wakeups)
	w2=$(field "$after" "$id" wakeups)
	log "NF $id wakeups: $w0 before the replay, $w1 after it, $w2 0.5 s later"
	check "NF $id sleeps in its futex once idle" test "$w2" -gt "$w1"
done

# What the kernel lets each NF process run on, not what the manager planned.
cpus=()
for id in "$nf1" "$nf2" "$nf3"; do
	pid=$(field "$after" "$id" pid)
	cpus+=("$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status")")
done
log "Cpus_allowed_list of the three NFs: ${cpus[*]}"
check "all three NFs share one CPU" \
	bash -c '[[ "$1" =~ ^[0-9]+$ ]] && [ "$1" = "$2" ] && [ "$1" = "$3" ]' _ "${cpus[@]}"
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0" stop_mgr
check "every packet crossed the chain identical and in order" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/out1.pcap"
finish
