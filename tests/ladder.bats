#!/usr/bin/env bats
# The escalation ladder (--ladder, and -s/-k as its two-step form) and
# periodic notes (--every), checked from inside the command and in the
# report's numbers.

load helpers/common

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	show_on_failure "$TMP/log" "$TMP/r.json"
	rm -rf "$TMP"
}

# A command that logs each signal it gets, with the time (/proc/uptime), and
# ignores them all except KILL.  Its trap forks nothing: on a slow machine
# (an emulated guest of the kernel matrix) a date(1) per signal can take longer
# than the ladder's next step, which then comes before the line is written.
logger_script='
	for s in INT TERM HUP QUIT USR1 USR2; do
		trap "read -r t _ </proc/uptime; echo \$t $s >> \"\$LOG\"" $s
	done
	echo 0 started >> "$LOG"
	[ -z "${ALRM_WHEN_STARTED:-}" ] || kill -ALRM $PPID
	while :; do sleep 0.05; done'

@test "a three-step ladder sends each signal in order, spaced by its delays" {
	# The deadline comes once the command has set its traps: an ALRM from
	# it, as GNU's "time out now" (a deadline of 0.3 s came before the
	# traps in an emulated guest of the kernel matrix, and INT ended it).
	export LOG=$TMP/log ALRM_WHEN_STARTED=1
	elapsed_ms "$ALTIMER" --report="$TMP/r.json" --ladder=INT,0.4s,TERM,0.4s,KILL 60 \
		sh -c "$logger_script" || true
	[ "$status" -eq 137 ]
	# INT at the deadline, TERM 0.4 s later, then KILL 0.4 s after that:
	# the command saw them in that order; the spacing is checked on
	# altimer's own clock below (a busy machine may run the command's
	# INT trap late, which says nothing of the ladder).
	run awk '{ print $2 }' "$LOG"
	[ "${lines[*]}" = "started INT TERM" ]
	[ "$elapsed" -ge 800 ] && [ "$elapsed" -le 10000 ]
	# The report lists the same steps in the same order, with rising times.
	run jq -r '[.signals[] | select(.signal != "CONT") | "\(.signal):\(.cause):\(.step)"] | join(" ")' "$TMP/r.json"
	[ "$output" = "INT:deadline:0 TERM:ladder:1 KILL:ladder:2" ]
	# (Generous: the steps are timed from the moment the ladder started,
	# a little before the first signal's own record.)
	run jq -e '[.signals[] | select(.signal != "CONT") | .at] | (.[0] < .[1] and .[1] < .[2]) and (.[2] - .[1] >= 0.3) and (.[1] - .[0] >= 0.3)' "$TMP/r.json"
	[ "$status" -eq 0 ]
	run jq -c '[.timers.ladder, .ladder, .reason, .timed_out]' "$TMP/r.json"
	[ "$output" = '[[1,1],[{"signal":"INT","delay":0},{"signal":"TERM","delay":0.4},{"signal":"KILL","delay":0.4}],"deadline",true]' ]
}

@test "the ladder stops climbing once the command is gone" {
	export LOG=$TMP/log
	run "$ALTIMER" --report="$TMP/r.json" --ladder=INT,0.3,TERM,0.3,KILL 0.2 sleep 5
	[ "$status" -eq 124 ]
	run jq -r '[.signals[] | select(.signal != "CONT") | .signal] | join(" ")' "$TMP/r.json"
	[ "$output" = "INT" ]
	run jq -c '.timers.ladder' "$TMP/r.json"
	[ "$output" = "[0,0]" ]
}

@test "-s and -k are the two-step ladder" {
	run "$ALTIMER" --report="$TMP/r.json" -s INT -k 0.3 0.2 sh -c 'trap "" INT; sleep 5'
	[ "$status" -eq 137 ]
	run jq -c '[.ladder, [.signals[] | select(.signal != "CONT") | .signal]]' "$TMP/r.json"
	[ "$output" = '[[{"signal":"INT","delay":0},{"signal":"KILL","delay":0.3}],["INT","KILL"]]' ]
}

@test "-s ALRM -k still reaches KILL, where GNU 9.1 ignores its own KILL timer" {
	# GNU ignores ALRM once it has sent it to its group, and its KILL
	# timer is an ALRM: there GNU waits for the command (124 after 30 s).
	run "$ALTIMER" -s ALRM -k 0.3 0.2 sh -c 'trap "" ALRM; sleep 30'
	[ "$status" -eq 137 ]
}

@test "a delay of 0 sends the next step at once" {
	run "$ALTIMER" --report="$TMP/r.json" --ladder=INT,0,KILL 0.2 sh -c 'trap "" INT; sleep 5'
	[ "$status" -eq 137 ]
	run jq -e '[.signals[] | select(.signal != "CONT") | .at] | .[1] - .[0] < 0.5' "$TMP/r.json"
	[ "$status" -eq 0 ]
}

@test "a forwarded TERM starts the ladder, as -k does in GNU timeout" {
	# shellcheck disable=SC2016 # for that shell
	"$ALTIMER" --report="$TMP/r.json" --ladder=INT,0.3,KILL 30 \
		sh -c 'trap "" TERM INT; echo ready >"$0"; sleep 30' "$TMP/ready" &
	pid=$!
	wait_for "$TMP/ready" ready
	kill -TERM "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 137 ]
	run jq -r '[.signals[] | select(.signal != "CONT") | "\(.signal):\(.cause)"] | join(" ")' "$TMP/r.json"
	[ "$output" = "TERM:forwarded KILL:ladder" ]
	run jq -r .reason "$TMP/r.json"
	[ "$output" = signal ]
}

# outside_then_alarm TIMEOUT SIG ARG...: run "TIMEOUT -v ARG... 30 sh"
# with a shell that ignores TERM and HUP; once it is ready send SIG to the
# timeout, once that is passed on send ALRM (a timeout's "deadline now",
# the same path as the deadline's own timer).  Sets $status, $err.
outside_then_alarm() {
	local which=$1 sig=$2 pid
	shift 2
	err="$TMP/err.$RANDOM"
	rm -f "$TMP/ready"
	# shellcheck disable=SC2016 # for that shell
	"$which" -v "$@" 30 sh -c 'trap "" TERM HUP; echo ready >"$0"; sleep 10' "$TMP/ready" \
		2>"$err" &
	pid=$!
	wait_for "$TMP/ready" ready
	kill -"$sig" "$pid"
	wait_for "$err" "sending signal $sig"
	kill -ALRM "$pid"
	status=0; wait "$pid" || status=$?
}

@test "after a signal from outside, the deadline sends -k's KILL at once, as GNU" {
	local which
	# GNU's -s signal becomes KILL once the first signal is out: the
	# deadline then sends KILL, not the -s signal again, and -k's delay
	# (60 s) is not waited for.  Not KILLed, the shell would sleep 10 s
	# and the timeout exit 124.
	for which in "$GNU_TIMEOUT" "$ALTIMER"; do
		outside_then_alarm "$which" TERM -k 60
		[ "$status" -eq 137 ] || { echo "$which: $status"; cat "$err"; return 1; }
		[ "$(sed 's/^[^:]*: //' "$err")" = "sending signal TERM to command 'sh'
sending signal KILL to command 'sh'" ] || { cat "$err"; return 1; }
		outside_then_alarm "$which" HUP --foreground -k 60
		[ "$status" -eq 137 ] || { echo "$which --foreground: $status"; cat "$err"; return 1; }
		# A -k too long for any clock is still GNU's KILL.
		outside_then_alarm "$which" HUP --foreground -k 1e300
		[ "$status" -eq 137 ] || { echo "$which -k 1e300: $status"; cat "$err"; return 1; }
		[ "$(sed 's/^[^:]*: //' "$err")" = "sending signal HUP to command 'sh'
sending signal KILL to command 'sh'" ] || { cat "$err"; return 1; }
	done
}

@test "after an ALRM from outside the deadline still comes, with the next signal, as GNU" {
	local which pid
	# GNU's own timer stays armed after an outside ALRM: at the deadline
	# the command gets the signal again (with -k, the KILL).
	for which in "$GNU_TIMEOUT" "$ALTIMER"; do
		rm -f "$TMP/ready"
		# shellcheck disable=SC2016 # for that shell
		"$which" -v 4 sh -c 'trap "" TERM; echo ready >"$0"; sleep 6' "$TMP/ready" \
			2>"$TMP/err" 3>&- &
		pid=$!
		wait_for "$TMP/ready" ready
		kill -ALRM "$pid"
		status=0; wait "$pid" || status=$?
		[ "$status" -eq 124 ] || { echo "$which: $status"; return 1; }
		[ "$(grep -c "sending signal TERM to command 'sh'" "$TMP/err")" -eq 2 ] ||
			{ echo "$which:"; cat "$TMP/err"; return 1; }
	done
}

@test "a forwarded USR1 does not start the ladder" {
	export LOG=$TMP/log
	"$ALTIMER" -k 0.2 30 sh -c "$logger_script" &
	pid=$!
	wait_for "$LOG" started
	kill -USR1 "$pid"
	wait_for "$LOG" USR1
	sleep 0.6
	# Still alive: no KILL came 0.2 s after the USR1.
	kill -0 "$pid"
	kill -TERM "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 137 ]
}

# refused OPTION VALUE...: each --OPTION=VALUE gets one line naming the
# option, GNU's "Try" line, and 125.
refused() {
	local option=$1 bad
	shift
	for bad in "$@"; do
		run --separate-stderr "$ALTIMER" --"$option"="$bad" 5 true
		[ "$status" -eq 125 ] || { echo "accepted '$bad'"; return 1; }
		[ "${#stderr_lines[@]}" -eq 2 ]
		[[ "${stderr_lines[0]}" == "$ALTIMER_NAME: "*"--$option"* ]]
		[ "${stderr_lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
	done
}

@test "invalid ladders are refused with a line naming --ladder and 125" {
	refused ladder "" "INT," "INT,5" "INT,,KILL" ",INT" "INT,5s,NOPE" "INT,x,KILL" \
		"INT,5,0" "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"
}

@test "a ladder may have 16 signals, not 17" {
	sixteen=$(printf 'INT,0,%.0s' $(seq 15))INT
	run --separate-stderr "$ALTIMER" --report=- --ladder="$sixteen" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq '.ladder | length' <<<"$stderr")" -eq 16 ]
	run --separate-stderr "$ALTIMER" --ladder="$sixteen,0,INT" 5 true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"at most 16 signals"* ]]
}

@test "--ladder cannot be combined with -s or -k" {
	run --separate-stderr "$ALTIMER" --ladder=INT,1,KILL -s TERM 5 true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--ladder replaces --signal and --kill-after"* ]]
	run --separate-stderr "$ALTIMER" -k 1 --ladder=INT 5 true
	[ "$status" -eq 125 ]
}

@test "a ladder that starts with a signal the command ignores still ends it" {
	run "$ALTIMER" --ladder=USR2,0.2,HUP,0.2,KILL 0.2 sh -c 'trap "" USR2 HUP; sleep 5'
	[ "$status" -eq 137 ]
}

# The command: probe counts RTMIN+3 until USR2, then prints the count.
# Real-time signals queue, so none of the notes can merge on the way, and
# at USR2 the probe takes every RTMIN+3 still pending: all the notes altimer
# sent before it passed USR2 on are counted, however late a busy machine
# lets the probe run.
counter=("$PROBE" count "$(($(kill -l RTMIN) + 3))" "$(kill -l USR2)")

@test "--every sends the signal every interval and the report counts it" {
	export READY=$TMP/ready
	start=$(date +%s%N)
	# RTMIN+3 ignored until the probe's handler (exec keeps SIG_IGN).
	bash -c 'trap "" RTMIN+3; exec "$@"' sh \
		"$ALTIMER" --report="$TMP/r.json" --every=0.1s,RTMIN+3 30 "${counter[@]}" "$READY" > "$TMP/out" &
	pid=$!
	wait_for "$READY" ready
	sleep 1
	kill -USR2 "$pid"
	status=0; wait "$pid" || status=$?
	span=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	received=$(cat "$TMP/out")
	sent=$(jq .notes_sent "$TMP/r.json")
	expired=$(jq .timers.every "$TMP/r.json")
	listed=$(jq '[.signals[] | select(.cause == "every")] | length' "$TMP/r.json")
	echo "received=$received sent=$sent expired=$expired listed=$listed span=${span}ms"
	# About ten in the second the command ran; never more than the whole
	# span, measured here, holds (a busy machine only lengthens it).
	[ "$expired" -ge 7 ] && [ "$expired" -le $((span / 100 + 1)) ]
	[ "$sent" -eq "$listed" ]
	[ "$sent" -le "$expired" ]
	# The command saw every note altimer sent before it passed USR2 on;
	# those sent after may come too late to be counted.
	before=$(jq '[.signals[] | select(.cause == "every" or .signal == "USR2")] |
		(map(.signal) | index("USR2")) as $usr2 | .[:$usr2] | length' "$TMP/r.json")
	echo "before USR2: $before"
	[ "$received" -le "$sent" ] && [ "$received" -ge "$before" ] && [ "$before" -ge 7 ]
	run jq -c '.every' "$TMP/r.json"
	[ "$output" = '{"interval":0.1,"signal":"RTMIN+3"}' ]
}

@test "--every sends no note before COMMAND's exec: its copy of altimer would die of it" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	# Each process's first execve starts 1.6 s late: COMMAND's keeps its
	# child a copy of altimer (sharing altimer's memory, altimer waiting
	# for the exec) for 1.6 s.  No note reaches that copy: the first
	# comes a whole interval after the exec.
	export READY=$TMP/ready
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=execve \
		-e inject=execve:delay_enter=1600000:when=1 \
		"$ALTIMER" --report="$TMP/r.json" --every=0.25s,RTMIN+3 30 "${counter[@]}" "$READY" \
		>"$TMP/out" 3>&- &
	pid=$!
	wait_for "$READY" ready 60
	kill -USR2 "$(child_running "$pid" altimer)"
	status=0; wait "$pid" || status=$?
	# Not killed by a note: the probe counted and ended on USR2.
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/out")" -ge 0 ]
	[ "$(jq '[.signals[] | select(.cause == "every") | .at] | min // 99 | . >= 1.8' "$TMP/r.json")" = true ]
}

@test "--every counts expirations altimer was too late to see one by one" {
	# altimer is stopped for 1 s: the kernel folds the missed expirations
	# into one record's overrun count, and the report keeps them.
	export READY=$TMP/ready
	start=$(date +%s%N)
	# RTMIN+3 ignored from the start (exec keeps SIG_IGN): a note that
	# comes before the probe's handler, on a busy machine or under a
	# sanitizer's slow start, is lost instead of killing it.
	bash -c 'trap "" RTMIN+3; exec "$@"' sh \
		"$ALTIMER" --report="$TMP/r.json" --every=50ms,RTMIN+3 30 "${counter[@]}" "$READY" > "$TMP/out" &
	pid=$!
	wait_for "$READY" ready
	sleep 0.3
	kill -STOP "$pid"
	sleep 1
	kill -CONT "$pid"
	sleep 0.3
	kill -USR2 "$pid"
	status=0; wait "$pid" || status=$?
	span=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	expired=$(jq .timers.every "$TMP/r.json")
	sent=$(jq .notes_sent "$TMP/r.json")
	echo "expired=$expired sent=$sent received=$(cat "$TMP/out") span=${span}ms"
	# 1.6 s or more at 20 per second: 30 expirations or more (never more
	# than the whole span holds), though altimer could act on far fewer.
	[ "$expired" -ge 28 ] && [ "$expired" -le $((span / 50 + 1)) ]
	[ "$sent" -lt "$expired" ]
}

@test "--every stops at the deadline" {
	# URG, ignored by default: a note that comes before the shell's trap
	# (a busy machine) does not end it before the deadline.
	run "$ALTIMER" --report="$TMP/r.json" --every=0.1,URG 0.55 sh -c 'trap : URG; while :; do sleep 0.02; done'
	[ "$status" -eq 124 ]
	# Every note came before the deadline's TERM, none after it (the
	# times are altimer's own: a busy machine may move both, not swap them).
	run jq -e '([.signals[] | select(.cause == "every") | .at] | max) <
		([.signals[] | select(.cause == "deadline") | .at] | min) and
		([.signals[] | select(.cause == "every")] | length) >= 1 and
		.timers.every >= 3' "$TMP/r.json"
	[ "$status" -eq 0 ]
}

@test "--every under -v says each signal sent" {
	# A second and ten notes: a busy machine may fold a few into one.
	# probe blocks USR1 first thing (a shell's trap could come after the
	# first note on a busy machine, and USR1 would end it).
	run --separate-stderr "$ALTIMER" -v --every=0.1,USR1 1 "$PROBE" count "$(kill -l USR1)" \
		"$(kill -l USR2)" "$BATS_TEST_TMPDIR/ready"
	[ "$status" -eq 124 ]
	count=$(grep -c "sending signal USR1 to command '$PROBE'" <<<"$stderr")
	[ "$count" -ge 2 ]
}

@test "invalid --every values are refused with a line naming --every and 125" {
	refused every "" "5" "5," ",USR1" "0,USR1" "x,USR1" "1,NOPE" "1,0" "-1,USR1"
}

@test "-vv names the limit that fired" {
	run --separate-stderr "$ALTIMER" -vv 0.2 sleep 5
	[ "$status" -eq 124 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: deadline: command 'sleep' still running after 0.2s" ]
	# The tree's snapshot comes in between (snapshot.bats).
	[ "${stderr_lines[1]}" = "$ALTIMER_NAME: the command's tree at the deadline:" ]
	[ "${stderr_lines[-1]}" = "$ALTIMER_NAME: sending signal TERM to command 'sleep'" ]
}
