#!/usr/bin/env bats
# Descriptor limits near exhaustion (ulimit -n): at every limit altimer
# either behaves exactly as with plenty of descriptors, or fails with one
# clear line and 125 -- and never hangs or leaves a process behind.

load helpers/common

setup() {
	MARK="limits-$$-$BATS_TEST_NUMBER"
	export ALTIMER_TEST_MARK=$MARK
}

teardown() {
	pkill -KILL -f "$MARK" 2>/dev/null || true
}

# Processes of this test still alive, found by the marker in their
# environment (zombies and the looking itself excluded).
marked_alive() {
	local count=0 pid state pids
	# A command substitution returns only once grep and sed have exited,
	# so the looking itself is never counted.
	pids=$(grep -lsaz "^ALTIMER_TEST_MARK=$MARK\$" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/environ|\1|')
	for pid in $pids; do
		state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null)
		[ -n "$state" ] && [ "$state" != Z ] && count=$((count + 1))
	done
	echo "$count"
}

# sweep EXPECTED ARGS...: run "altimer ARGS" under ulimit -n 4 .. 20 (below
# 4 the dynamic loader itself cannot open libpopt).  Each run must give
# EXPECTED, or 125 with one line naming what altimer could not do, and
# leave no process of the tree alive.  At least the highest limits must
# give EXPECTED.
sweep() {
	local expected=$1 n worked=0
	shift
	for n in $(seq 4 20); do
		# Only 0, 1 and 2 open (bats keeps others), then the limit; GNU
		# timeout, outside the limit, would catch a hang.  In sanitizer
		# builds LeakSanitizer itself needs descriptors to look at /proc.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run --separate-stderr "$GNU_TIMEOUT" -s KILL 30 bash -c '
			for fd in $(seq 3 63); do eval "exec $fd>&-"; done
			ulimit -n "$1"; shift; exec "$@"' sh "$n" "$ALTIMER" "$@"
		if [ "$status" -eq "$expected" ]; then
			worked=$((worked + 1))
		elif [ "$status" -eq 125 ]; then
			[ "${#stderr_lines[@]}" -eq 1 ] ||
				{ echo "ulimit -n $n: more than one line: $stderr"; return 1; }
			[[ "$stderr" == "$ALTIMER: "*": Too many open files" ]] ||
				{ echo "ulimit -n $n: unclear: $stderr"; return 1; }
		else
			echo "ulimit -n $n: status $status, stderr: $stderr"
			return 1
		fi
		local deadline=$((SECONDS + 5))
		while [ "$(marked_alive)" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
		[ "$(marked_alive)" -eq 0 ] || { echo "ulimit -n $n: processes left"; return 1; }
	done
	echo "# worked at $worked of 17 limits" >&3
	[ "$worked" -ge 4 ]
}

@test "a command that exits, at every descriptor limit" {
	sweep 7 5 sh -c 'exit 7'
}

@test "a timeout with a tree that left the group, at every descriptor limit" {
	sweep 124 0.3 sh -c 'setsid sleep 30 & setsid sh -c "sleep 30 & sleep 30" & sleep 30'
}

@test "--keepalive and --notify, at every descriptor limit" {
	sweep 124 -i 0.3 --notify 10 sh -c 'echo out; echo err >&2; sleep 30'
}

@test "--report and a ladder, at every descriptor limit" {
	R="$BATS_TEST_TMPDIR/r.json"
	sweep 137 --report="$R" --ladder=TERM,0.1,KILL 0.2 sh -c 'trap "" TERM; sleep 30'
	jq -e '.reason == "deadline" and .exit_status == 137' "$R"
}
