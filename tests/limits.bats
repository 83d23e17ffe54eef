#!/usr/bin/env bats
# Descriptor limits near exhaustion (ulimit -n), and no queued-signal slots
# for POSIX timers (ulimit -i): at every limit altimer either behaves
# exactly as with plenty of them, or fails with one clear line and 125 --
# and never hangs or leaves a process behind.

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

# sweep EXPECTED ARGS...: run "altimer ARGS" under ulimit -n 4 .. 24 (below
# 4 the dynamic loader itself cannot open libc).  Each run must give
# EXPECTED, or 125 with one line naming what altimer could not do, and
# leave no process of the tree alive.  At least the highest limits must
# give EXPECTED (--keepalive --notify needs about 18 descriptors: the relay
# pipes, a private non-blocking stderr, the snapshot's scratch pipe, the
# tree walk's reserve, the signalfd, the socket, the pidfd).
sweep() {
	local expected=$1 n worked=0
	shift
	for n in $(seq 4 24); do
		# Only 0, 1 and 2 open (bats keeps others), then the limit; GNU
		# timeout, outside the limit, would catch a hang.  In sanitizer
		# builds LeakSanitizer itself needs descriptors to look at /proc.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run --separate-stderr "$GNU_TIMEOUT" -s KILL 30 bash -c '
			for fd in $(seq 3 63); do eval "exec $fd>&-"; done
			if [ -n "$1" ]; then ulimit -i "$1"; fi
			ulimit -n "$2"; shift 2; exec "$@"' sh "${SIGPENDING:-}" "$n" "$ALTIMER" "$@"
		if [ "$status" -eq "$expected" ]; then
			worked=$((worked + 1))
		elif [ "$status" -eq 125 ]; then
			[ "${#stderr_lines[@]}" -eq 1 ] ||
				{ echo "ulimit -n $n: more than one line: $stderr"; return 1; }
			[[ "$stderr" == "$ALTIMER_NAME: "*": Too many open files" ]] ||
				{ echo "ulimit -n $n: unclear: $stderr"; return 1; }
		else
			echo "ulimit -n $n: status $status, stderr: $stderr"
			return 1
		fi
		local deadline=$((SECONDS + 5))
		while [ "$(marked_alive)" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
		[ "$(marked_alive)" -eq 0 ] || { echo "ulimit -n $n: processes left"; return 1; }
	done
	echo "# worked at $worked of 21 limits" >&3
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

@test "timerfds instead of POSIX timers (ulimit -i 0), at every descriptor limit" {
	R="$BATS_TEST_TMPDIR/r.json"
	# Signal 0 at the deadline, then -k's KILL: 137 however late COMMAND
	# runs (a shell ignoring TERM could get it before its trap).
	SIGPENDING=0 sweep 137 --report="$R" -s 0 -k 0.2 0.2 sleep 30
	jq -e '.reason == "deadline" and .exit_status == 137 and .timers.ladder == [1]' "$R"
}

@test "--report and a ladder, at every descriptor limit" {
	R="$BATS_TEST_TMPDIR/r.json"
	# STOP (and CONT) first, which nothing catches: the KILL step ends it
	# however late COMMAND runs.
	sweep 137 --report="$R" --ladder=STOP,0.1,KILL 0.2 sleep 30
	jq -e '.reason == "deadline" and .exit_status == 137' "$R"
}

# under_sigpending LIMIT CMD...: run CMD with RLIMIT_SIGPENDING at LIMIT and
# print the status a shell sees ($?), so a death by KILL and an exit 137
# read the same, as they do for a script.
under_sigpending() {
	local limit=$1
	shift
	bash -c 'ulimit -i "$1"; shift; "$@"; echo "$?"' sh "$limit" "$@"
}

@test "ulimit -i 0: no POSIX timer at all, the deadline still gives 124, as GNU's" {
	run --separate-stderr under_sigpending 0 "$GNU_TIMEOUT" 0.3 sleep 10
	[ "$output" = 124 ]
	elapsed_ms under_sigpending 0 "$ALTIMER" 0.3 sleep 10 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = 124 ]
	[ "$elapsed" -lt 5000 ]
	# A timerfd does as well as the POSIX timer: nothing to warn about.
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	# In time, the command's own status.
	run --separate-stderr under_sigpending 0 "$ALTIMER" 5 sh -c 'exit 7'
	[ "$output" = 7 ]
}

@test "ulimit -i 0 and 1 with -k: KILL after the grace, 137 as GNU's" {
	for limit in 0 1; do
		run --separate-stderr under_sigpending "$limit" "$GNU_TIMEOUT" -k 0.3 0.3 \
			sh -c 'trap "" TERM; sleep 10'
		[ "$output" = 137 ] || { echo "GNU, -i $limit: $output"; return 1; }
		run --separate-stderr under_sigpending "$limit" "$ALTIMER" -k 0.3 0.3 \
			sh -c 'trap "" TERM; sleep 10'
		[ "$output" = 137 ] || { echo "altimer, -i $limit: $output $stderr"; return 1; }
		# Only the shell's "Killed", nothing of altimer's own.
		[[ "$stderr" != *"$ALTIMER_NAME:"* ]] || { echo "altimer, -i $limit: $stderr"; return 1; }
	done
}

@test "ulimit -i 0 and 1 with a ladder and a keepalive: every step is sent and counted" {
	R="$BATS_TEST_TMPDIR/r.json"
	for limit in 0 1; do
		run --separate-stderr under_sigpending "$limit" "$ALTIMER" --report="$R" -i 0.3 \
			--ladder=TERM,0.2,INT,0.2,KILL 30 sh -c 'trap "" TERM INT; sleep 10'
		[ "$output" = 137 ] || { echo "-i $limit: $output"; return 1; }
		jq -e '.reason == "keepalive" and .timers.keepalive == 1 and .timers.ladder == [1, 1] and
			([.signals[] | .signal] - ["CONT"] == ["TERM", "INT", "KILL"])' "$R"
	done
}

# every_counted LIMIT: --every=0.1s while altimer itself is stopped for a
# second, so expirations pile up unread; the report must count every one
# of them (about 10 per second of the command's life), though one late
# read sends only one note for all.
every_counted() {
	local R="$BATS_TEST_TMPDIR/every-$1.json" pid
	bash -c 'ulimit -i "$1"; exec "$2" --report="$3" --every=0.1s,WINCH 30 sleep 2.5' \
		sh "$1" "$ALTIMER" "$R" &
	pid=$!
	sleep 0.5
	kill -STOP "$pid"
	sleep 1
	kill -CONT "$pid"
	wait "$pid"
	jq -c '[.timers.every, .notes_sent, .elapsed]' "$R" >&3
	# Expirations: one per 0.1 s of the command's life (the timer starts
	# a little after it, and the last tenth may be unread at its end).
	jq -e '(.elapsed * 10 | floor) as $due |
		.timers.every >= $due - 2 and .timers.every <= $due and
		.notes_sent <= .timers.every - 5' "$R"
}

@test "ulimit -i 0 and 1 with --every: the report counts expirations exactly, as without the limit" {
	every_counted unlimited
	every_counted 0
	every_counted 1
}

# both LIMIT ARGS...: GNU timeout and altimer with ARGS under ulimit -n
# LIMIT, only 0, 1 and 2 open; prints "stderr|status" for each, the
# program's name taken out (and not the shell's own "Killed" line).
both() {
	local limit=$1 tool out
	shift
	for tool in "$GNU_TIMEOUT" "$ALTIMER"; do
		# In sanitizer builds LeakSanitizer itself needs descriptors.
		out=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 bash -c 'for fd in $(seq 3 63); do eval "exec $fd>&-"; done
			ulimit -n "$1"; shift; "$@" 2>&1; echo "|$?"' sh "$limit" "$tool" "$@" 2>/dev/null)
		echo "${out//$tool/PROGRAM}"
	done
}

@test "at every descriptor limit GNU runs under (4 and up), altimer gives GNU's status and words" {
	for n in 4 5 6 7 8 9 10 12 16; do
		for args in "5 sh -c 'exit 7'" "0.2 sleep 10" "5 /nonexistent/command" "-v -s INT 0.2 sleep 10" \
			"-k 0.2 0.2 sh -c 'trap \"\" TERM; sleep 10'"; do
			eval "set -- $args"
			run both "$n" "$@"
			[ "${#lines[@]}" -ge 2 ]
			half=$((${#lines[@]} / 2))
			gnu=$(printf '%s\n' "${lines[@]:0:half}")
			mine=$(printf '%s\n' "${lines[@]:half}")
			[ "$gnu" = "$mine" ] || { echo "ulimit -n $n, $args: GNU [$gnu] altimer [$mine]"; false; }
		done
	done
}
