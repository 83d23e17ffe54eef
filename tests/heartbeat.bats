#!/usr/bin/env bats
# --heartbeat: a line on stderr after each INTERVAL of the command's silence,
# none while it prints; what the line says; the report's count.

load helpers/common

# The heartbeat lines of $stderr, one a line.
heartbeats() {
	grep -E "^$ALTIMER_NAME: heartbeat: " <<<"$stderr" || true
}

@test "a silent command gets a heartbeat after each INTERVAL, no more than the time allows" {
	run --separate-stderr "$ALTIMER" --report="$BATS_TEST_TMPDIR/r.json" \
		--heartbeat=0.25 -i 60 3 sleep 30
	[ "$status" -eq 124 ]
	count=$(heartbeats | wc -l)
	echo "$count heartbeats"
	# 12 in 3 s; a late altimer folds missed ones into one line (an
	# overrun), so fewer under load, never more.
	[ "$count" -ge 4 ]
	[ "$count" -le 12 ]
	[ "$(jq .heartbeats "$BATS_TEST_TMPDIR/r.json")" -eq "$count" ]
	[ "$(jq '.heartbeat == 0.25' "$BATS_TEST_TMPDIR/r.json")" = true ]
	# Nothing but heartbeats on stderr, and nothing on stdout.
	[ "$(wc -l <<<"$stderr")" -eq "$count" ]
	[ -z "$output" ]
}

@test "a command that prints steadily for longer than INTERVAL gets no heartbeat" {
	run --separate-stderr "$ALTIMER" --report="$BATS_TEST_TMPDIR/r.json" --heartbeat=2 -i 60 60 \
		sh -c 'i=0; while [ $i -lt 50 ]; do echo tick; i=$((i + 1)); sleep 0.1; done'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50 ]
	# 5 s of output, at most 0.1 s apart: never 2 s of silence.
	[ "$(jq '.elapsed > 4' "$BATS_TEST_TMPDIR/r.json")" = true ]
	[ -z "$stderr" ]
	[ "$(jq .heartbeats "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
}

@test "output on stderr re-arms it too, and the silence after it is counted from the last output" {
	run --separate-stderr "$ALTIMER" --heartbeat=0.5 -i 60 60 \
		sh -c 'i=0; while [ $i -lt 20 ]; do echo tick >&2; i=$((i + 1)); sleep 0.1; done; sleep 1.3'
	[ "$status" -eq 0 ]
	count=$(heartbeats | wc -l)
	[ "$count" -ge 1 ]
	[ "$count" -le 2 ]
	# The first line comes after the ticks, half a second after the last.
	[ "$(grep -v -x tick <<<"$stderr" | head -n1)" = "$(heartbeats | head -n1)" ]
	[[ "$(heartbeats | head -n1)" =~ \ (0\.[5-9]|[1-9][0-9.]*)s\ since\ output$ ]]
}

@test "the line: time run, time left, the tree's processes, CPU and memory, time since output" {
	# Two processes, the shell and perl, which holds 64 MiB and has used
	# some CPU once it says so, and then is silent for 4 s: a heartbeat
	# comes 1.5 s after, and maybe 3 s after.
	run --separate-stderr "$ALTIMER" --heartbeat=1.5 -i 60 60 sh -c '
		perl -e "\$| = 1; \$x = q(x) x (64 << 20); \$i = 0; \$i++ while \$i < 5e6; print qq(ready\n); sleep 4"'
	[ "$status" -eq 0 ]
	[ "$output" = ready ]
	line=$(heartbeats | tail -n1)
	echo "$line"
	re="^$ALTIMER_NAME: heartbeat: running ([0-9.]+)s, ([0-9.]+)s left, ([0-9]+) processes, CPU ([0-9.]+)s, memory ([0-9.]+) MiB, ([0-9.]+)s since output\$"
	[[ "$line" =~ $re ]]
	ran=${BASH_REMATCH[1]} left=${BASH_REMATCH[2]} processes=${BASH_REMATCH[3]}
	cpu=${BASH_REMATCH[4]} memory=${BASH_REMATCH[5]} quiet=${BASH_REMATCH[6]}
	# Run plus left is the deadline (the left from the timer, a little less).
	awk -v r="$ran" -v l="$left" 'BEGIN { exit !(r >= 1.5 && r + l > 59.7 && r + l <= 60.1) }'
	[ "$processes" -eq 2 ]
	# Counting to 5 million takes a good tenth of a second.
	awk -v c="$cpu" 'BEGIN { exit !(c > 0) }'
	awk -v m="$memory" 'BEGIN { exit !(m >= 64) }'
	awk -v q="$quiet" -v r="$ran" 'BEGIN { exit !(q >= 1.5 && q <= r) }'
}

@test "without the relay altimer says it does not watch the output; with it, before any output, none yet" {
	run --separate-stderr "$ALTIMER" --heartbeat=0.3 1 sleep 30
	[ "$status" -eq 124 ]
	[[ "$(heartbeats | head -n1)" =~ ,\ 1\ process,\ .*,\ output\ not\ watched\ \(no\ --keepalive\)$ ]]
	run --separate-stderr "$ALTIMER" --heartbeat=0.3 -i 60 1 sleep 30
	[ "$status" -eq 124 ]
	[[ "$(heartbeats | head -n1)" =~ ,\ no\ output\ yet$ ]]
	# No deadline: said so.
	run --separate-stderr "$ALTIMER" --heartbeat=0.3 -i 1 0 sleep 30
	[ "$status" -eq 124 ]
	[[ "$(heartbeats | head -n1)" =~ ^$ALTIMER_NAME:\ heartbeat:\ running\ [0-9.]+s,\ no\ deadline,\  ]]
}

@test "the heartbeat stops once the command is being stopped" {
	# The command ignores TERM and lives on 2 s until the ladder's KILL.
	run --separate-stderr "$ALTIMER" --heartbeat=0.2 -k 2 0.5 sh -c 'trap "" TERM; sleep 30'
	[ "$status" -eq 137 ]
	count=$(heartbeats | wc -l)
	[ "$count" -ge 1 ]
	[ "$count" -le 2 ]
}

@test "under ulimit -i 0 (timerfds instead of POSIX timers) the heartbeat still comes" {
	run --separate-stderr bash -c 'ulimit -i 0 && exec "$@"' bash "$ALTIMER" --heartbeat=0.2 -i 60 1 sleep 30
	[ "$status" -eq 124 ]
	[ "$(heartbeats | wc -l)" -ge 2 ]
}

@test "a bad INTERVAL is a usage error in GNU's shape, 125" {
	for value in x 1y -1 ''; do
		run --separate-stderr "$ALTIMER" --heartbeat="$value" 1 true
		[ "$status" -eq 125 ]
		[ "${stderr_lines[0]}" = "$ALTIMER_NAME: invalid time interval '$value' (--heartbeat: a number with an optional unit, such as 10, 1.5s, 500ms, 2m or 1h30m)" ]
		[ "${stderr_lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
		[ "${#stderr_lines[@]}" -eq 2 ]
	done
	for value in 0 inf 0s; do
		run --separate-stderr "$ALTIMER" --heartbeat="$value" 1 true
		[ "$status" -eq 125 ]
		[ "${stderr_lines[0]}" = "$ALTIMER_NAME: invalid --heartbeat '$value': it needs a finite interval above 0, such as 30s or 5m" ]
		[ "${#stderr_lines[@]}" -eq 2 ]
	done
	# Missing its value, as GNU's getopt says it.
	run --separate-stderr "$ALTIMER" 1 true --heartbeat
	[ "$status" -eq 0 ]
	run --separate-stderr "$ALTIMER" --heartbeat
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: option '--heartbeat' requires an argument" ]
}
