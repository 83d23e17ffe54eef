#!/usr/bin/env bats
# At a limit, before the first signal: the snapshot of the tree (report and
# -v) and the --on-timeout command.

load helpers/common

setup() {
	TMP=$(mktemp -d)
	R=$TMP/report.json
	# This test's processes, told from those of the same test in the
	# other variants (make -j2 runs them side by side): by a mark in
	# their environment, not by their command lines.
	MARK="altimer-snapshot-$$-$BATS_TEST_NUMBER-$RANDOM"
	export ALTIMER_TEST_MARK=$MARK
}

teardown() {
	show_on_failure "${R:-}"
	exec 8>&- 2>/dev/null || true
	for pid in $(marked_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	rm -rf "$TMP"
}

# marked_pgrep PATTERN: this test's processes whose command line matches.
marked_pgrep() {
	local pid found=1
	for pid in $(pgrep -f -- "$1"); do
		if grep -qsaz "^ALTIMER_TEST_MARK=$MARK\$" "/proc/$pid/environ"; then
			echo "$pid"
			found=0
		fi
	done
	return "$found"
}

# field EXPR [JQ-OPTION]...: jq's compact answer for EXPR on the report.
field() {
	local expr=$1
	shift
	jq -c "$@" "$expr" "$R"
}

# none_left PATTERN: no process whose command line matches is alive.
none_left() {
	local deadline=$((SECONDS + 5))
	while [ -n "$(marked_pgrep "$1")" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			marked_pgrep "$1" >&2
			return 1
		fi
		sleep 0.05
	done
}

# The command blocks reading a FIFO (a pipe) that the test holds open, with
# a child shell whose own child sleeps, and a busy loop.
tree_command() {
	mkfifo "$TMP/fifo"
	exec 8<>"$TMP/fifo"
	# shellcheck disable=SC2016
	set -- sh -c 'sh -c "sleep 291.5; true" & sh -c "while :; do :; done" & exec cat <"$0"' "$TMP/fifo"
	printf '%s\0' "$@" >"$TMP/argv"
}

# alarm_when_tree_settled PID: once tree_command's processes under the
# altimer PID are where the tests look for them (cat reading the pipe, the
# sleep's shell waiting for it, the busy loop having used some CPU), send
# PID an ALRM (GNU's "time out now"): a busy machine may take longer than
# any fixed deadline to get them there.
alarm_when_tree_settled() {
	local pid=$1 cat busy sleeper deadline=$((SECONDS + 60))
	cat=$(child_running "$pid" cat 30)
	until [[ "$(cat "/proc/$cat/wchan" 2>/dev/null)" == *pipe_read ]] &&
		busy=$(pgrep -P "$cat" -f '^sh -c while :; do :; done$') &&
		[ "$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$busy/stat")" -ge 2 ] &&
		sleeper=$(marked_pgrep '^sleep 291.5$') &&
		[ "$(cat "/proc/$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$sleeper/stat")/wchan" 2>/dev/null)" = do_wait ]; do
		[ "$SECONDS" -lt "$deadline" ] || { kill -KILL "$pid"; return 1; }
		sleep 0.02
	done
	kill -ALRM "$pid"
}

@test "the snapshot lists a reader, a sleeping grandchild and a busy loop: states, wchan, parents, command lines" {
	tree_command
	mapfile -d '' -t argv <"$TMP/argv"
	# The deadline comes as an ALRM (GNU's "time out now") once every
	# process is where the test looks for it: a busy machine may take
	# longer than any fixed deadline to get them there.
	"$ALTIMER" --report="$R" 60 "${argv[@]}" &
	pid=$!
	alarm_when_tree_settled "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	[ "$(field '.snapshot | length')" = 4 ]
	[ "$(field '[.snapshot_omitted, .snapshot_reason]')" = '[0,"deadline"]' ]
	# The command itself: cat, now reading the pipe.
	[ "$(field '.snapshot[0] | [.pid, .depth, .state, .cmdline, .comm]')" = \
		"[$(field .pid),0,\"S\",\"cat\",\"cat\"]" ]
	[ "$(field '.snapshot[0].wchan | test("pipe_read")')" = true ]
	[ "$(field '.snapshot[0].stack | .[0] | test("pipe_read")')" = true ]
	# The grandchild sleeps, under its shell, under the command.
	[ "$(field '[.snapshot[] | select(.cmdline == "sh -c sleep 291.5; true")] | .[0] |
		[.state, .depth, .ppid == $pid, .wchan]' --argjson pid "$(field .pid)")" = \
		'["S",1,true,"do_wait"]' ]
	[ "$(field '.snapshot as $s | [$s[] | select(.cmdline == "sleep 291.5")] | .[0] as $sleep |
		[$sleep.state, $sleep.depth, ($s[] | select(.pid == $sleep.ppid) | .cmdline),
		 ($sleep.wchan | test("nanosleep"))]')" = '["S",2,"sh -c sleep 291.5; true",true]' ]
	# The busy loop runs (R: running or waiting for a CPU), and has used
	# the CPU the test waited for.
	[ "$(field '[.snapshot[] | select(.cmdline == "sh -c while :; do :; done")] | .[0] |
		[.state, .depth, .ppid == $pid, .wchan, .user_cpu + .system_cpu >= 0.02]' \
		--argjson pid "$(field .pid)")" = '["R",1,true,null,true]' ]
	# Every process: the same group (the command's), sane numbers.
	[ "$(field '[.snapshot[] | .pgid == $pid and .rss_kib > 0 and .threads == 1 and
		.age > 0 and .age < 60] | all' --argjson pid "$(field .pid)")" = true ]
	[ "$(field '.snapshot_at > 0 and .snapshot_at < 60 and .snapshot_took < 1')" = true ]
	# Taken before the first signal.
	[ "$(field '.snapshot_at <= .signals[0].at')" = true ]
}

@test "-vv prints the tree as a forest on stderr before the first signal; -v does not" {
	run "$ALTIMER" -v 0.2 sleep 10
	[ "$status" -eq 124 ]
	[[ "$output" != *"tree at the"* ]]
	tree_command
	mapfile -d '' -t argv <"$TMP/argv"
	"$ALTIMER" -vv 60 "${argv[@]}" 2>"$TMP/err" &
	pid=$!
	alarm_when_tree_settled "$pid"
	status=0
	wait "$pid" || status=$?
	output=$(cat "$TMP/err")
	N=${ALTIMER_NAME//./\.} # a regex of the name: its dots are literal
	[ "$status" -eq 124 ]
	grep -q -x -F "$ALTIMER_NAME: the command's tree at the deadline:" <<<"$output"
	grep -q -E "^$N"': +PID STAT WCHAN +TIME +RSS COMMAND$' <<<"$output"
	grep -q -E "^$N"': +[0-9]+ S +(anon_)?pipe_read .* cat$' <<<"$output"
	grep -q -E "^$N"': +[0-9]+ S +do_wait .* \\_ sh -c sleep 291.5; true$' <<<"$output"
	grep -q -E "^$N"': +[0-9]+ S +[a-z_]*nanosleep .*     \\_ sleep 291.5$' <<<"$output"
	grep -q -E "^$N"': +[0-9]+ R +- .* \\_ sh -c while :; do :; done$' <<<"$output"
	# The forest comes before the first signal is announced.
	forest=$(grep -n "tree at the deadline" <<<"$output" | cut -d: -f1)
	sending=$(grep -n "sending signal" <<<"$output" | head -1 | cut -d: -f1)
	[ "$forest" -lt "$sending" ]
}

@test "a command that ends in time, or a signal passed on, takes no snapshot and runs no hook" {
	run "$ALTIMER" --report="$R" --on-timeout="touch '$TMP/ran'" 10 true
	[ "$status" -eq 0 ]
	[ "$(field '[.snapshot, .snapshot_omitted, .on_timeout.ran]')" = '[null,0,false]' ]
	"$ALTIMER" --report="$R" --on-timeout="touch '$TMP/ran'" 30 sleep 30 &
	pid=$!
	wait_for "/proc/$pid/task/$pid/children" '[0-9]'
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 143 ]
	[ ! -e "$TMP/ran" ]
	[ "$(field '[.reason, .snapshot, .on_timeout.ran]')" = '["signal",null,false]' ]
}

@test "an outside SIGALRM is the deadline: snapshot and hook" {
	"$ALTIMER" --report="$R" --on-timeout="echo \"\$ALTIMER_REASON\" >'$TMP/reason'" \
		30 sleep 30 &
	pid=$!
	# Forked is not yet exec'd: wait for the command to be sleep.
	child_running "$pid" sleep >/dev/null
	kill -ALRM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	[ "$(field '[.snapshot_reason, (.snapshot | length), .snapshot[0].cmdline]')" = \
		'["deadline",1,"sleep 30"]' ]
	[ "$(cat "$TMP/reason")" = deadline ]
}

@test "WATCHDOG=trigger takes the snapshot and runs the hook, reason trigger" {
	command -v systemd-notify >/dev/null || skip "systemd-notify not installed"
	run "$ALTIMER" --report="$R" --notify --on-timeout="echo \"\$ALTIMER_REASON\" >'$TMP/reason'" \
		30 sh -c 'systemd-notify WATCHDOG=trigger; sleep 30'
	[ "$status" -eq 124 ]
	[ "$(field '[.reason, .snapshot_reason, .on_timeout.exit_code]')" = '["trigger","trigger",0]' ]
	[ "$(cat "$TMP/reason")" = trigger ]
}

@test "a tree of more than 1000 processes: 1000 listed, the rest counted" {
	# An outside ALRM is the deadline, sent once the whole tree is there:
	# the shell's own ": >" says so (a touch could still be exiting, one
	# process too many).
	# shellcheck disable=SC2016
	"$ALTIMER" --report="$R" 60 sh -c '
		i=0; while [ $i -lt 1009 ]; do sleep 296.25 & i=$((i + 1)); done
		: >"$0"; wait' "$TMP/spawned" &
	pid=$!
	local deadline=$((SECONDS + 60))
	while [ ! -e "$TMP/spawned" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	kill -ALRM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	[ "$(field '[(.snapshot | length), .snapshot_omitted]')" = '[1000,10]' ]
	[ "$(field '.snapshot[0] | [.depth, .pid == $pid]' --argjson pid "$(field .pid)")" = '[0,true]' ]
	none_left 'sleep 296.25'
}

@test "--keepalive: the snapshot holds the last 4 KiB of stdout and stderr exactly" {
	# Apart: with 2>&1 the relay gives both one pipe, and one tail.
	run --separate-stderr "$ALTIMER" --report="$R" -i 0.5 30 sh -c \
		'seq 1 3000; printf "first\n" >&2; printf "last line on stderr\t\"quoted\"" >&2; sleep 30'
	[ "$status" -eq 124 ]
	[ "$(field .snapshot_reason)" = '"keepalive"' ]
	jq -j '.snapshot[0].stdout_tail' "$R" >"$TMP/tail"
	seq 1 3000 | tail -c 4096 >"$TMP/expected"
	cmp "$TMP/tail" "$TMP/expected"
	[ "$(field '.snapshot[0].stderr_tail')" = '"first\nlast line on stderr\t\"quoted\""' ]
	# The relay still passed on every byte.
	[ "$(grep -c . <<<"$output")" -ge 3000 ]
}

@test "--keepalive: the tail is exact across a chatty command's many writes" {
	status=0
	"$ALTIMER" --report="$R" -i 1 30 sh -c \
		'head -c 3000000 /dev/urandom | od -An -tx1 -v; echo END; sleep 30' >"$TMP/out" ||
		status=$?
	[ "$status" -eq 124 ]
	[ "$(tail -n 1 "$TMP/out")" = END ]
	jq -j '.snapshot[0].stdout_tail' "$R" >"$TMP/tail"
	tail -c 4096 "$TMP/out" >"$TMP/expected"
	cmp "$TMP/tail" "$TMP/expected"
}

@test "--keepalive: the tail is exact when a slow reader makes the relay move less than it was offered" {
	# A small pipe downstream, read slowly: splices move part of what is
	# ready, the rest waits for room.
	# shellcheck disable=SC2016
	"$ALTIMER" --report="$R" -i 1.5 30 sh -c 'seq 1 300000; sleep 30' |
		perl -e 'use Fcntl; fcntl(STDIN, 1031, 4096); while (sysread(STDIN, $b, 1000)) {
			print $b; select(undef, undef, undef, 0.0002) }' >"$TMP/out" || true
	[ "$(field .snapshot_reason)" = '"keepalive"' ]
	jq -j '.snapshot[0].stdout_tail' "$R" >"$TMP/tail"
	tail -c 4096 "$TMP/out" >"$TMP/expected"
	cmp "$TMP/tail" "$TMP/expected"
	[ "$(tail -n 1 "$TMP/out")" = 300000 ]
}

@test "no --keepalive: no output tails" {
	run "$ALTIMER" --report="$R" 0.3 sh -c 'echo hi; sleep 30'
	[ "$(field '.snapshot[0] | has("stdout_tail") or has("stderr_tail")')" = false ]
}

@test "--on-timeout: its environment, its output on stderr, its status in the report" {
	run --separate-stderr "$ALTIMER" --report="$R" \
		--on-timeout='echo "pid=$ALTIMER_PID pids=$ALTIMER_PIDS reason=$ALTIMER_REASON"; echo err >&2; exit 7' \
		0.5 sh -c 'sleep 292.5 & sleep 292.6'
	[ "$status" -eq 124 ]
	[ -z "$output" ]
	pids=$(jq -r '[.snapshot[].pid | tostring] | join(" ")' "$R")
	grep -q -x "pid=$(field .pid) pids=$pids reason=deadline" <<<"$stderr"
	grep -q -x err <<<"$stderr"
	[ "$(field '.on_timeout | [.command, .ran, .exit_code, .signal, .killed, .error, .limit]')" = \
		'["echo \"pid=$ALTIMER_PID pids=$ALTIMER_PIDS reason=$ALTIMER_REASON\"; echo err >&2; exit 7",true,7,null,null,null,60]' ]
	[ "$(field '.on_timeout.elapsed < 5')" = true ]
	[ "$(wc -w <<<"$pids")" -eq 3 ]
}

@test "-vv's forest escapes bytes of a command line that are not valid UTF-8, as GNU quotes names" {
	N=${ALTIMER_NAME//./\.} # a regex of the name: its dots are literal
	# The command itself brings the deadline (an outside ALRM is the
	# deadline) once sh runs, so the forest shows its command line however
	# busy the machine is.
	# shellcheck disable=SC2016 # expanded by sh
	script='kill -ALRM "$PPID"; sleep 296.5; true'
	# In the C locale every byte past ASCII is \ooo, and a backslash is
	# doubled so the escapes read back unambiguously.
	run "$ALTIMER" -vv 60 sh -c "$script" $'x\xffy' 'a\b' $'\xc3\xa9'
	[ "$status" -eq 124 ]
	grep -q -E "^$N"': +[0-9]+ [A-Z]+ .* sh -c kill -ALRM "\$PPID"; sleep 296.5; true x\\377y a\\\\b \\303\\251$' <<<"$output"
	[[ "$output" != *$'\xff'* ]]
	# In a UTF-8 locale, valid UTF-8 is shown as it is, the rest escaped.
	LC_ALL=C.UTF-8 run "$ALTIMER" -vv 60 sh -c "$script" $'x\xffy' $'\xc3\xa9'
	[ "$status" -eq 124 ]
	grep -q -E "^$N"': +[0-9]+ [A-Z]+ .* sh -c kill -ALRM "\$PPID"; sleep 296.5; true x\\377y '$'\xc3\xa9''$' <<<"$output"
	[[ "$output" != *$'\xff'* ]]
}

@test "-vv says how the --on-timeout command ended; -v says nothing of it" {
	N=${ALTIMER_NAME//./\.} # a regex of the name: its dots are literal
	run "$ALTIMER" -vv --on-timeout='exit 7' 0.2 sleep 10
	[ "$status" -eq 124 ]
	grep -q -x -F "$ALTIMER_NAME: running the --on-timeout command" <<<"$output"
	# A measured time has three decimals, not %g's nine digits.
	grep -q -E "^$N: the --on-timeout command exited with status 7 after [0-9]+\.[0-9]{3}s$" <<<"$output"
	run "$ALTIMER" -vv --on-timeout='sleep 297.5' --on-timeout-limit=0.3 0.2 sleep 10
	grep -q -x -F "$ALTIMER_NAME: the --on-timeout command was killed at its limit of 0.3s" <<<"$output"
	run "$ALTIMER" -vv --on-timeout='kill -USR1 $$' 0.2 sleep 10
	grep -q -E "^$N: the --on-timeout command died of signal USR1 after " <<<"$output"
	run "$ALTIMER" -v --on-timeout='exit 7' 0.2 sleep 10
	[[ "$output" != *on-timeout* && "$output" != *"tree at"* ]]
	grep -q -x -F "$ALTIMER_NAME: sending signal TERM to command 'sleep'" <<<"$output"
}

@test "a failing --on-timeout is reported and changes nothing else" {
	run "$ALTIMER" --report="$TMP/plain.json" -k 1 0.3 sh -c 'trap "" TERM; sleep 30'
	plain=$status
	run "$ALTIMER" --report="$R" --on-timeout='/nonexistent/hook' -k 1 0.3 \
		sh -c 'trap "" TERM; sleep 30'
	[ "$status" -eq "$plain" ]
	[ "$status" -eq 137 ]
	[ "$(field '.on_timeout | [.exit_code, .killed]')" = '[127,null]' ]
	[ "$(field '[.signals[] | [.signal, .target, .cause]]')" = \
		"$(jq -c '[.signals[] | [.signal, .target, .cause]]' "$TMP/plain.json")" ]
}

@test "a hung --on-timeout is killed at its limit, and the command still gets its ladder" {
	elapsed_ms "$ALTIMER" --report="$R" --on-timeout='sleep 293.5' --on-timeout-limit=0.5 \
		--ladder=TERM,0.5,KILL 0.3 sh -c 'trap "" TERM; sleep 30'
	[ "$status" -eq 137 ]
	[ "$elapsed" -ge 1200 ] && [ "$elapsed" -lt 8000 ]
	[ "$(field '.on_timeout | [.exit_code, .signal, .killed]')" = '[null,"KILL","limit"]' ]
	[ "$(field '.on_timeout.elapsed >= 0.5 and .on_timeout.elapsed < 4')" = true ]
	[ "$(field '[.signals[] | select(.signal != "CONT") | [.signal, .step]]')" = \
		'[["TERM",0],["KILL",1]]' ]
	# The first signal came after the hook, not at the deadline, and the
	# ladder's delay counts from it.
	[ "$(field '.signals[0].at >= 0.8')" = true ]
	[ "$(field '[.signals[] | select(.signal == "KILL")][0].at - .signals[0].at >= 0.45')" = true ]
	none_left 'sleep 293.5'
}

@test "an --on-timeout that starts a daemon leaves nothing behind" {
	run "$ALTIMER" --report="$R" \
		--on-timeout='setsid sleep 294.5 & (sleep 294.6 &); sleep 294.7 & exit 0' 0.3 sleep 30
	[ "$status" -eq 124 ]
	[ "$(field '.on_timeout | [.exit_code, .killed]')" = '[0,null]' ]
	none_left 'sleep 294.[567]'
	# Nothing of the hook's was taken for the command's tree.
	[ "$(field '[.signals[] | select(.target == "tree" or .target == "leftovers")] | length')" = 0 ]
}

@test "TERM to altimer during a hung --on-timeout kills it and goes on" {
	"$ALTIMER" --report="$R" --on-timeout="touch '$TMP/started'; sleep 295.5" 0.3 sleep 30 &
	pid=$!
	wait_for_file() { local d=$((SECONDS + 10)); while [ ! -e "$1" ]; do
		[ "$SECONDS" -lt "$d" ] || return 1; sleep 0.02; done; }
	wait_for_file "$TMP/started"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	[ "$(field '.on_timeout | [.killed, .signal]')" = '["signal","KILL"]' ]
	[ "$(field '[.signals[] | select(.signal != "CONT") | [.signal, .cause]]')" = \
		'[["TERM","deadline"],["TERM","forwarded"]]' ]
	none_left 'sleep 295.5'
}

@test "--on-timeout with gdb: the backtrace names the function the command is stuck in" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	command -v cc >/dev/null || skip "no C compiler"
	cat >"$TMP/stuck.c" <<-'EOF'
		#include <unistd.h>
		void __attribute__((noinline)) waiting_for_godot(void) { for (;;) pause(); }
		int main(void) { waiting_for_godot(); return 0; }
	EOF
	cc -g -O0 -o "$TMP/stuck" "$TMP/stuck.c"
	run --separate-stderr "$ALTIMER" \
		--on-timeout='gdb -p "$ALTIMER_PID" -batch -ex "thread apply all bt"' 0.5 "$TMP/stuck"
	[ "$status" -eq 124 ]
	grep -q -E '#[0-9]+ .* waiting_for_godot \(\) at .*stuck\.c:2' <<<"$stderr" ||
		{ echo "$stderr"; false; }
}

@test "--on-timeout and --on-timeout-limit refuse empty and endless values" {
	run "$ALTIMER" --on-timeout= 1 true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"invalid --on-timeout '': give a shell command" ]]
	[ "${lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
	for limit in 0 inf; do
		run "$ALTIMER" --on-timeout=true --on-timeout-limit="$limit" 1 true
		[ "$status" -eq 125 ]
		[[ "${lines[0]}" == *"invalid --on-timeout-limit "?"$limit"?": it needs a positive duration"* ]]
	done
	run "$ALTIMER" --on-timeout=true --on-timeout-limit=bogus 1 true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"invalid time interval "?"bogus"?" (--on-timeout-limit:"* ]]
}

@test "a plain timeout reads nothing of the tree before its first signal; with --report it does" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	log=$TMP/strace
	# Only the snapshot reads a process's kernel stack or wait channel.
	# LeakSanitizer (in sanitizer builds) cannot run under ptrace.
	ASAN_OPTIONS=detect_leaks=0 run strace -f -o "$log" -e trace=open,openat \
		"$ALTIMER" 1 sh -c 'sleep 293.1; true'
	[ "$status" -eq 124 ]
	run ! grep -E -q '"/proc/[0-9]+/(stack|wchan|cmdline)"' "$log"
	# The same timeout with a report to show it: the snapshot is read
	# (the shell at least; its sleep too unless the machine is slow).
	ASAN_OPTIONS=detect_leaks=0 run strace -f -o "$log" -e trace=open,openat \
		"$ALTIMER" --report="$R" 1 sh -c 'sleep 293.2; true'
	[ "$status" -eq 124 ]
	grep -E -q '"/proc/[0-9]+/(stack|wchan)"' "$log"
	[ "$(field '.snapshot[0].comm' -r)" = sh ]
}

@test "the hook's keeper is named altimer-hook, and goes when altimer is stopped by a TERM" {
	"$ALTIMER" --on-timeout='sleep 30' 0.2 sleep 60 &
	pid=$!
	keeper=$(child_running "$pid" altimer-hook 30)
	[ -n "$keeper" ]
	kill -TERM "$pid"
	wait "$pid" || true
	wait_gone "$keeper" 10
}

@test "an altimer killed while its hook's keeper starts: the keeper notices and runs no hook" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	# Each process's first prctl returns 2 s late: the keeper's is its
	# name, so altimer-hook waits there, its parent-death signal not yet
	# set, while altimer is killed.  The keeper must see that its parent
	# is gone and not run the hook.
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=prctl \
		-e inject=prctl:delay_exit=2000000:when=1 \
		"$ALTIMER" --on-timeout="touch '$TMP/ran'" 0.2 sleep 60 3>&- &
	tracer=$!
	pid=$(child_running "$tracer" altimer 30)
	keeper=$(child_running "$pid" altimer-hook 60)
	[ -n "$keeper" ]
	kill -KILL "$pid"
	wait_gone "$keeper" 30
	wait "$tracer" || true
	[ ! -e "$TMP/ran" ]
	no_marked_left 10
}
