#!/bin/sh
# Every sample message the codec builds must decode cleanly in a real peer's
# parser: ovs-ofctl ofp-print. Skipped (77) without openvswitch-common.
dump="$1"
command -v ovs-ofctl >/dev/null 2>&1 || { echo "ovs-ofctl not installed"; exit 77; }
status=0
for name in $("$dump"); do
	out=$(ovs-ofctl ofp-print "$("$dump" "$name")" 2>&1)
	# The ERROR sample carries a deliberately undecodable request.
	[ "$name" = error ] && continue
	case "$out" in
	*"decode error"*|*WARN*|*"bad "*|*"invalid"*|*"truncated"*)
		echo "FAIL $name:"; echo "$out"; status=1 ;;
	*) echo "ok   $name: $(echo "$out" | head -1)" ;;
	esac
done
exit $status
