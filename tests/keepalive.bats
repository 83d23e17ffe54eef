#!/usr/bin/env bats
# --keepalive: output keeps the command alive, silence times it out, and the
# output passes through unchanged.

load helpers/common

@test "output keeps the command alive past the keepalive" {
	# 3.5 s of output, a line every 0.1 s: longer than the keepalive, whose
	# 2 s are twenty times the gap, which a busy machine may stretch.
	run "$ALTIMER" --keepalive 2 20 sh -c 'i=0; while [ $i -lt 35 ]; do echo tick; sleep 0.1; i=$((i + 1)); done'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 35 ]
}

@test "silence times the command out with 124, long before the deadline" {
	elapsed_ms "$ALTIMER" -i 0.3 60 sh -c 'echo one; sleep 30'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
}

@test "the silence is measured from the last output, however many keepalives passed" {
	# A line every 0.1 s, the keepalive ten times that: a busy machine
	# does not stretch a gap so far.
	elapsed_ms "$ALTIMER" --report="$BATS_TEST_TMPDIR/r.json" -i 1 20 \
		sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo tick; sleep 0.1; done; sleep 8' \
		>"$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 124 ]
	[ "$(grep -c tick "$BATS_TEST_TMPDIR/out")" -eq 10 ]
	# last output at >= 0.9 s, so no timeout before 1.9 s; well before the sleep ends
	[ "$elapsed" -ge 1900 ]
	[ "$elapsed" -lt 6000 ]
	# the keepalive fired once, after the output stopped
	[ "$(jq -c '[.reason, .timers.keepalive]' "$BATS_TEST_TMPDIR/r.json")" = '["keepalive",1]' ]
}

@test "output on stderr is a sign of life too" {
	run "$ALTIMER" -i 2 20 sh -c 'i=0; while [ $i -lt 35 ]; do echo tick >&2; sleep 0.1; i=$((i + 1)); done'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 35 ]
}

@test "-vv says the keepalive fired, then which signal went out" {
	run --separate-stderr "$ALTIMER" -vv -i 0.2 60 sleep 30
	[ "$status" -eq 124 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: keepalive: no sign of life from command 'sleep' for 0.2s" ]
	# The tree's snapshot comes in between (snapshot.bats).
	[ "${stderr_lines[1]}" = "$ALTIMER_NAME: the command's tree at the keepalive:" ]
	[ "${stderr_lines[-1]}" = "$ALTIMER_NAME: sending signal TERM to command 'sleep'" ]
}

@test "the keepalive goes through the same ladder: -s and -k" {
	run "$ALTIMER" -i 0.2 -s INT -k 0.2 60 sh -c 'trap "" INT; sleep 30'
	[ "$status" -eq 137 ]
}

@test "the deadline still applies to a chatty command" {
	elapsed_ms "$ALTIMER" -i 5 0.5 sh -c 'while :; do echo x; sleep 0.05; done'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
}

@test "stdout and stderr come through byte for byte, binary and large" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/data"
	"$ALTIMER" -i 5 30 sh -c 'cat "$1"; cat "$1" >&2' sh "$BATS_TEST_TMPDIR/data" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/err"
}

@test "output through a slow pipe downstream is complete" {
	run bash -c '"$1" -i 5 30 seq 200000 | (sleep 0.5; md5sum)' sh "$ALTIMER"
	[ "$output" = "$(seq 200000 | md5sum)" ]
}

@test "each stream keeps its order" {
	run --separate-stderr "$ALTIMER" -i 5 30 sh -c 'for i in $(seq 500); do echo "o$i"; echo "e$i" >&2; done'
	[ "$output" = "$(seq 500 | sed 's/^/o/')" ]
	[ "$stderr" = "$(seq 500 | sed 's/^/e/')" ]
}

@test "a reader that goes away gives the command a broken pipe, as without altimer" {
	elapsed_ms bash -c '"$1" --keepalive 5s 60 yes | head -1 >/dev/null; echo "${PIPESTATUS[0]}" >"$2"' \
		sh "$ALTIMER" "$BATS_TEST_TMPDIR/status"
	[ "$(cat "$BATS_TEST_TMPDIR/status")" -eq 141 ]
	[ "$elapsed" -lt 10000 ]
}

@test "the command's end of output reaches the reader before the command ends" {
	# The reader's cat ends at end-of-file: well before the 3 s sleep.
	run bash -c 'start=$(date +%s%N)
		"$1" -i 5 10 sh -c "echo done; exec >&-; sleep 3" |
			{ cat; echo "eof after $((($(date +%s%N) - start) / 1000000)) ms"; }' sh "$ALTIMER"
	[ "${lines[0]}" = "done" ]
	[[ "${lines[1]}" =~ ^eof\ after\ ([0-9]+)\ ms$ ]]
	[ "${BASH_REMATCH[1]}" -lt 2500 ]
}

@test "an invalid keepalive is refused with 125" {
	run "$ALTIMER" --keepalive soon 10 true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"altimer: invalid time interval 'soon' (--keepalive: "* ]]
}

@test "the command's environment tells it its deadline" {
	run "$ALTIMER" 100 sh -c 'echo "$ALTIMER_DEADLINE"'
	now=$(date +%s)
	deadline=${output%.*}
	[ "$deadline" -ge $((now + 95)) ]
	[ "$deadline" -le $((now + 101)) ]
	run env ALTIMER_DEADLINE=stale "$ALTIMER" 0 sh -c 'echo "${ALTIMER_DEADLINE-unset}"'
	[ "$output" = unset ]
}

# Issue 18: the relay never hangs, never loses a byte, keeps the order.

# stalled_reader KIND ALTIMER-ARGS...: run altimer with its stdout on a pty
# (KIND=pty) or a socket (KIND=socket) that nobody reads; prints the exit
# status (or None) and the milliseconds it took.
stalled_reader() {
	timeout 30 python3 -c '
import pty, socket, subprocess, sys, time
if sys.argv[1] == "pty":
    keep, out = pty.openpty()
else:
    keep, sock = socket.socketpair()
    out = sock.fileno()
start = time.time()
p = subprocess.Popen(sys.argv[2:], stdout=out)
while p.poll() is None and time.time() - start < 12:
    time.sleep(0.02)
print(p.poll(), int((time.time() - start) * 1000))
if p.poll() is None:
    p.kill()
' "$@"
}

@test "a terminal that stops reading does not hold up the deadline (GNU: 124)" {
	run stalled_reader pty "$ALTIMER" -i 5 2 yes
	read -r code ms <<<"$output"
	[ "$code" = 124 ]
	[ "$ms" -ge 1900 ]
	[ "$ms" -lt 8000 ]
	run stalled_reader pty "$GNU_TIMEOUT" 2 yes
	[ "${output% *}" = 124 ]
}

@test "a socket that stops reading does not hold up the deadline" {
	run stalled_reader socket "$ALTIMER" -i 5 2 yes
	read -r code ms <<<"$output"
	[ "$code" = 124 ]
	[ "$ms" -lt 8000 ]
}

@test "a stalled reader does not keep altimer waiting after the timeout (GNU: 3 s)" {
	elapsed_ms bash -c '"$1" -i 2 3 yes > >(sleep 10)' sh "$ALTIMER"
	[ "$status" -eq 124 ]
	[ "$elapsed" -ge 2900 ]
	[ "$elapsed" -lt 7000 ]
}

@test "back-pressure is not silence: a command blocked on a full pipe is alive" {
	# 40 bursts of 20000 lines, each more than the pipes hold, while the
	# reader takes nothing for 6 s: three keepalives of blocked output.
	run bash -c '"$1" -i 2 60 sh -c "for i in \$(seq 40); do seq 20000; sleep .05; done" |
		(sleep 6; wc -l); echo "status ${PIPESTATUS[0]}"' sh "$ALTIMER"
	[ "${lines[0]}" -eq 800000 ]
	[ "${lines[1]}" = "status 0" ]
}

@test "a reader gone: the command's next write fails, 141 as with GNU" {
	run bash -c '"$1" -i 5 60 sh -c "echo a; sleep 1; echo b" | head -c1 >/dev/null
		echo "${PIPESTATUS[0]}"' sh "$ALTIMER"
	[ "$output" = 141 ]
	run bash -c '"$1" 60 sh -c "echo a; sleep 1; echo b" | head -c1 >/dev/null
		echo "${PIPESTATUS[0]}"' sh "$GNU_TIMEOUT"
	[ "$output" = 141 ]
}

@test "a full disk downstream: the command's writes fail, -vv says why, no spinning" {
	mkdir -p "$BATS_TEST_TMPDIR/64k"
	mount -t tmpfs -o size=64k tmpfs "$BATS_TEST_TMPDIR/64k" 2>/dev/null ||
		skip "cannot mount a tmpfs here"
	# More than the relay pipe holds, so head is still writing when the
	# disk fills up.
	elapsed_ms "$ALTIMER" -vv -i 3 10 sh -c 'head -c 3000000 /dev/zero; echo "head $?" >&2' \
		>"$BATS_TEST_TMPDIR/64k/out" 2>"$BATS_TEST_TMPDIR/err"
	umount "$BATS_TEST_TMPDIR/64k"
	cat "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	grep -qxF "$ALTIMER_NAME: cannot pass on the command's stdout: No space left on device; closing its pipe" \
		"$BATS_TEST_TMPDIR/err"
	# head's next write failed (SIGPIPE) instead of succeeding into nowhere
	grep -qx "head 141" "$BATS_TEST_TMPDIR/err"
	[ "$elapsed" -lt 2500 ]
}

@test "late writers of the tree still get their output through, as with GNU" {
	run bash -c '"$1" -i 5 10 sh -c "(sleep 2; echo late; touch \"\$1\") &" sh "$2" |
			cat
		echo "status ${PIPESTATUS[0]}"' sh "$ALTIMER" "$BATS_TEST_TMPDIR/ok"
	[ "${lines[0]}" = late ]
	[ "${lines[1]}" = "status 0" ]
	[ -e "$BATS_TEST_TMPDIR/ok" ]
}

@test "altimer itself ends with the command while a late writer holds its output" {
	elapsed_ms "$ALTIMER" -i 5 10 sh -c '(sleep 3; echo late; touch "$1") &' sh "$BATS_TEST_TMPDIR/ok" \
		>"$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	[ "$elapsed" -lt 2500 ]
	wait_for "$BATS_TEST_TMPDIR/out" late
	for _ in $(seq 250); do [ -e "$BATS_TEST_TMPDIR/ok" ] && break; sleep 0.02; done
	[ -e "$BATS_TEST_TMPDIR/ok" ]
}

# A program writing 20000 lines each to stdout and stderr, alternating,
# each flushed at once.
ALTERNATE='import sys
for i in range(20000):
    sys.stdout.write("o%d\n" % i); sys.stdout.flush()
    sys.stderr.write("e%d\n" % i); sys.stderr.flush()'

# How many of the 40000 lines in FILE are out of place.
count_out_of_place() {
	python3 -c '
import sys
got = open(sys.argv[1]).read().split()
want = [s for i in range(20000) for s in ("o%d" % i, "e%d" % i)]
print(len(got), sum(1 for a, b in zip(got, want) if a != b))' "$1"
}

@test "2>&1 keeps the order between stdout and stderr exactly (a pipe)" {
	"$ALTIMER" -i 5 60 python3 -c "$ALTERNATE" 2>&1 |
		cat >"$BATS_TEST_TMPDIR/out"
	run count_out_of_place "$BATS_TEST_TMPDIR/out"
	[ "$output" = "40000 0" ]
}

@test "2>&1 keeps the order between stdout and stderr exactly (a file)" {
	"$ALTIMER" -i 5 60 python3 -c "$ALTERNATE" \
		>"$BATS_TEST_TMPDIR/out" 2>&1
	run count_out_of_place "$BATS_TEST_TMPDIR/out"
	[ "$output" = "40000 0" ]
}

@test "2>&1 keeps the order without kcmp too (fstat, flags and offset tell)" {
	"$DENY" ENOSYS kcmp -- "$ALTIMER" -i 5 60 python3 -c "$ALTERNATE" 2>&1 |
		cat >"$BATS_TEST_TMPDIR/out"
	run count_out_of_place "$BATS_TEST_TMPDIR/out"
	[ "$output" = "40000 0" ]
}

@test "--clock=boot times with CLOCK_BOOTTIME, the default with CLOCK_MONOTONIC" {
	# /proc/PID/timers names each POSIX timer's clock: 1 monotonic, 7 boottime.
	for clock in boot awake; do
		"$ALTIMER" --clock=$clock 5 sleep 30 &
		pid=$!
		wait_for "/proc/$pid/timers" ClockID
		grep ClockID "/proc/$pid/timers" | sort -u >"$BATS_TEST_TMPDIR/$clock"
		kill "$pid"
		wait "$pid" || true
	done
	[ "$(cat "$BATS_TEST_TMPDIR/boot")" = "ClockID: 7" ]
	[ "$(cat "$BATS_TEST_TMPDIR/awake")" = "ClockID: 1" ]
	elapsed_ms "$ALTIMER" --clock=boot -i 0.3 0.6 sleep 5
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 3000 ]
	run --separate-stderr "$ALTIMER" -vv --clock=boot 5 true
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: clock: boot (CLOCK_BOOTTIME, time suspended counts)" ]
	run --separate-stderr "$ALTIMER" --clock=wall 5 true
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: invalid --clock 'wall': use awake or boot" ]
	[ "${stderr_lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
}

@test "after a timeout, a reader that is only slow still gets every byte, and altimer does not wait for it" {
	run bash -c 'start=$(date +%s%N)
		{ "$1" -i 5 1 sh -c "seq 250000; sleep 10"
		  echo "altimer $? after $((($(date +%s%N) - start) / 1000000)) ms" >"$2"; } |
			(sleep 4; wc -l)' sh "$ALTIMER" "$BATS_TEST_TMPDIR/altimer"
	[ "$output" -eq 250000 ]
	[[ "$(cat "$BATS_TEST_TMPDIR/altimer")" =~ ^altimer\ 124\ after\ ([0-9]+)\ ms$ ]]
	[ "${BASH_REMATCH[1]}" -lt 3500 ]
}

# fd_becomes_null PID FD: wait (30 s at most) until PID's FD is /dev/null.
fd_becomes_null() {
	local deadline=$((SECONDS + 30))
	until [ "$(readlink "/proc/$1/fd/$2")" = /dev/null ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "fd $2 of $1: $(readlink "/proc/$1/fd/$2")"; return 1; }
		sleep 0.02
	done
}

# The altimer-relay keeper whose stdout is FILE, waiting up to 30 s for it
# to take its name (a busy machine).
keeper_of() {
	local fd deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		for fd in /proc/[0-9]*/fd/1; do
			[ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
			fd=${fd%/fd/1}
			if [ "$(cat "$fd/comm" 2>/dev/null)" = altimer-relay ]; then
				echo "${fd#/proc/}"
				return 0
			fi
		done
		sleep 0.05
	done
	return 0
}

@test "the keeper of late writers' output ends with them, and TERM ends it too" {
	# The late writer waits for the test to have seen the keeper: on a
	# busy machine a fixed sleep could end before the keeper is found.
	"$ALTIMER" -i 5 10 sh -c '(while [ ! -e "$1" ]; do sleep 0.05; done; echo late) &' \
		sh "$BATS_TEST_TMPDIR/go" >"$BATS_TEST_TMPDIR/out"
	keeper=$(keeper_of "$BATS_TEST_TMPDIR/out")
	[ -n "$keeper" ]
	touch "$BATS_TEST_TMPDIR/go"
	wait_gone "$keeper" 10
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = late ]

	# A sleep holding the pipe, known by its pid.
	"$ALTIMER" -i 5 10 sh -c 'sleep 30 & echo $! >"$1"' sh "$BATS_TEST_TMPDIR/pid" \
		>"$BATS_TEST_TMPDIR/out2"
	keeper=$(keeper_of "$BATS_TEST_TMPDIR/out2")
	[ -n "$keeper" ]
	kill -TERM "$keeper"
	wait_gone "$keeper" 10
	kill "$(cat "$BATS_TEST_TMPDIR/pid")"
}

@test "the keeper holds only the streams it relays: a capture of stderr and a writer into stdin end with altimer" {
	# GNU: the capture ends with timeout, whatever the command left
	# running with other descriptors.  The late sleeper is still alive
	# when each capture has returned: nobody waited for it.
	err=$("$ALTIMER" -i 5 10 sh -c 'echo err >&2; sleep 30 2>/dev/null & echo $! >"$1"' \
		sh "$BATS_TEST_TMPDIR/pid1" 2>&1 >/dev/null)
	[ "$err" = err ]
	kill -0 "$(cat "$BATS_TEST_TMPDIR/pid1")"
	kill "$(cat "$BATS_TEST_TMPDIR/pid1")"

	yes | "$ALTIMER" -i 5 10 sh -c 'head -c 10 >/dev/null
		sleep 30 </dev/null 2>/dev/null & echo $! >"$1"' sh "$BATS_TEST_TMPDIR/pid2" \
		>"$BATS_TEST_TMPDIR/out"
	statuses="${PIPESTATUS[*]}"
	kill -0 "$(cat "$BATS_TEST_TMPDIR/pid2")"
	# Still relaying stdout for the sleeper, with /dev/null for the rest.
	keeper=$(keeper_of "$BATS_TEST_TMPDIR/out")
	if [ -z "$keeper" ]; then
		# What holds the output, for the log: seen once under load.
		echo "statuses: $statuses"
		for fd in /proc/[0-9]*/fd/1; do
			[ "$(readlink "$fd" 2>/dev/null)" = "$BATS_TEST_TMPDIR/out" ] &&
				echo "${fd%/fd/1}: $(cat "${fd%/fd/1}/comm" 2>/dev/null)"
		done
		ls -l "/proc/$(cat "$BATS_TEST_TMPDIR/pid2")/fd" || true
	fi
	[ -n "$keeper" ]
	# stdin as soon as the keeper has set itself up (named, it may not
	# have yet on a busy machine), stderr as soon as the sleeper's shell
	# has redirected its own.
	fd_becomes_null "$keeper" 0
	fd_becomes_null "$keeper" 2
	kill "$(cat "$BATS_TEST_TMPDIR/pid2")"
	wait_gone "$keeper" 10
}

@test "the keeper ignores what the caller ignored: nohup's HUP does not lose the late output" {
	sh -c 'trap "" HUP; exec "$@"' sh "$ALTIMER" -i 5 10 sh -c \
		'echo first; (while [ ! -e "$1" ]; do sleep 0.05; done; echo late) &' \
		sh "$BATS_TEST_TMPDIR/go" >"$BATS_TEST_TMPDIR/out"
	keeper=$(keeper_of "$BATS_TEST_TMPDIR/out")
	[ -n "$keeper" ]
	grep -q '^SigIgn:.*[13579bdf]$' "/proc/$keeper/status"
	kill -HUP "$keeper"
	touch "$BATS_TEST_TMPDIR/go"
	wait_gone "$keeper" 10
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'first\nlate')" ]
}

# The expiry of a keepalive that output re-armed in the same wake-up is
# stale: before Linux 6.13 it is still read after the re-arm, on every
# kernel under KEPT_EXPIRIES.
stale_keepalive_expiry() {
	local report=$BATS_TEST_TMPDIR/r.json out=$BATS_TEST_TMPDIR/out
	# A keepalive of 2 s, altimer stopped for 3 s: an emulated guest of the
	# kernel matrix took 1.2 s to the first line, 0.5 s between lines.
	"$@" "$ALTIMER" --report="$report" -i 2 60 \
		sh -c 'while :; do echo x; sleep 0.1; done' >"$out" &
	local pid=$!
	across_a_stop "$pid" "$out" 3 3
	# Once the command wrote on after the stop, the deadline comes (ALRM):
	# a fixed one could come before the stop on a slow machine.
	kill -ALRM "$pid" 2>/dev/null || true
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	# output never stopped for 2 s: the deadline ended it
	[ "$(jq -r .reason "$report")" = deadline ]
	[ "$(jq -r .timers.keepalive "$report")" -eq 0 ]
}

@test "output that came while altimer was stopped outlives a keepalive that expired meanwhile" {
	stale_keepalive_expiry
}

@test "an expiry still queued after output re-armed the keepalive is ignored (Linux before 6.13)" {
	stale_keepalive_expiry "${KEPT_EXPIRIES[@]}"
}
