#!/usr/bin/env bats
# Signals sent to altimer reach the command; timeouts reach its whole group.
# Also run with pidfds refused (tests/forwarding-nopidfd.fallback).

load helpers/common

# start_probe FILE ALTIMER-ARGS...: run "altimer ARGS probe trap ... FILE" in
# the background, leaving its PID in $pid once the probe is ready.
start_probe() {
	local file=$1
	shift
	# fd 3 is bats' own; a background job holding it would stall bats.
	# A background job starts with INT and QUIT ignored, and altimer (as
	# GNU 9.10) passes on no signal its caller ignored: undo that first,
	# as an interactive shell's job would have them.
	with_default_int_quit "$ALTIMER" "$@" "$PROBE" trap 1 2 3 10 12 14 15 "$file" 3>&- &
	pid=$!
	wait_for "$file" ready
}

with_default_int_quit() {
	exec perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec @ARGV or exit 127' "$@"
}

forward_one() {
	local name=$1 number=$2 f="$BATS_TEST_TMPDIR/$1"
	start_probe "$f" 30
	kill -"$name" "$pid"
	wait_for "$f" "^$number\$" 30 || return 1
	kill -TERM "$pid"
	wait "$pid" || return 1
}

@test "HUP is passed on to the command ($(altimer_path))" {
	forward_one HUP 1
}

@test "INT is passed on to the command ($(altimer_path))" {
	forward_one INT 2
}

@test "QUIT is passed on to the command ($(altimer_path))" {
	forward_one QUIT 3
}

@test "USR1 is passed on to the command ($(altimer_path))" {
	forward_one USR1 10
}

@test "USR2 is passed on to the command ($(altimer_path))" {
	forward_one USR2 12
}

@test "TERM is passed on and the command's exit is altimer's ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/term"
	start_probe "$f" 30
	kill -TERM "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	grep -qx 15 "$f"
}

@test "an ALRM from outside times the command out at once, as with GNU ($(altimer_path))" {
	# GNU timeout 9.1 does the same, but not reliably under load (it was
	# seen exiting 143), so only altimer is held to it here.
	f="$BATS_TEST_TMPDIR/alrm"
	"$ALTIMER" 30 "$PROBE" trap 15 "$f" 3>&- &
	pid=$!
	wait_for "$f" ready
	kill -ALRM "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	grep -qx 15 "$f"
}

@test "a forwarded signal also starts the -k countdown ($(altimer_path))" {
	"$ALTIMER" -k 0.3 30 sh -c 'trap "" TERM; echo ready > "$1"; while :; do sleep 1; done' sh \
		"$BATS_TEST_TMPDIR/ready" 3>&- &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/ready" ready
	kill -TERM "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 137 ]
}

@test "a timeout reaches the command's whole process group ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/grandchild"
	run "$ALTIMER" 0.3 sh -c 'sleep 30 & echo $! > "$1"; wait' sh "$f"
	[ "$status" -eq 124 ]
	wait_gone "$(cat "$f")" 5
}

@test "with --foreground only the command is signalled, not its children ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/grandchild"
	run "$ALTIMER" --foreground 0.3 sh -c 'sleep 30 & echo $! > "$1"; wait' sh "$f"
	[ "$status" -eq 124 ]
	grandchild=$(cat "$f")
	sleep 0.3
	kill -0 "$grandchild"
	kill "$grandchild"
}

@test "a command that left altimer's process group is still signalled ($(altimer_path))" {
	elapsed_ms "$ALTIMER" 0.3 perl -e 'setpgrp(0, 0); sleep 30'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 5000 ]
}

@test "a stopped process group gets CONT with the signal ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/grandchild"
	elapsed_ms "$ALTIMER" 0.3 sh -c 'sleep 30 & echo $! > "$1"; kill -STOP $! $$' sh "$f"
	[ "$status" -eq 124 ]
	wait_gone "$(cat "$f")" 5
}

@test "signals go through pidfd_send_signal, or kill(2) on the fallback path ($(altimer_path))" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	log="$BATS_TEST_TMPDIR/strace"
	# LeakSanitizer (in sanitizer builds) cannot run under ptrace.
	ASAN_OPTIONS=detect_leaks=0 run strace -f -o "$log" -e trace=pidfd_open,pidfd_send_signal,kill \
		"$ALTIMER" 0.2 sleep 10
	[ "$status" -eq 124 ]
	case $(altimer_path) in
	pidfd)
		grep -q 'pidfd_open(' "$log"
		grep -q 'pidfd_send_signal(.*SIGTERM' "$log"
		run ! grep -q ' kill(' "$log"
		;;
	fallback)
		run ! grep -q 'pidfd_' "$log"
		grep -q 'kill(-\?[0-9]*, SIGTERM' "$log"
		;;
	seccomp*)
		# Tried, refused by the sandbox, and kill(2) took over.
		grep -q "pidfd_open(.*= -1 $ALTIMER_SECCOMP" "$log"
		run ! grep -q 'pidfd_send_signal(.*= 0' "$log"
		grep -q 'kill(-\?[0-9]*, SIGTERM' "$log"
		;;
	esac
}

@test "PIPE, XCPU, VTALRM, PROF and a real-time signal are passed on too, as GNU 9.10 ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/more"
	with_default_int_quit "$ALTIMER" 30 "$PROBE" trap 13 24 26 27 40 "$f" 3>&- &
	pid=$!
	wait_for "$f" ready
	for sig in PIPE XCPU VTALRM PROF RTMIN+6; do
		kill -"$sig" "$pid"
	done
	for number in 13 24 26 27 40; do
		wait_for "$f" "^$number\$" 5
	done
	kill -TERM "$pid"
	wait "$pid" || true
}

@test "INT and QUIT ignored by the caller (a background job) are not passed on, as GNU 9.10 ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/ignored"
	# Started with & from a script: INT and QUIT are ignored.
	"$ALTIMER" 30 "$PROBE" trap 2 3 15 "$f" 3>&- &
	pid=$!
	wait_for "$f" ready
	kill -INT "$pid"
	kill -QUIT "$pid"
	kill -TERM "$pid"
	wait_for "$f" '^15$' 5
	status=0
	wait "$pid" || status=$?
	# TERM came through; INT and QUIT neither ended altimer nor arrived.
	run cat "$f"
	[[ "$output" != *$'\n2'* ]]
	[[ "$output" != *$'\n3'* ]]
	[ "$status" -ne 130 ] && [ "$status" -ne 131 ]
}

@test "the -s signal ignored by the caller (trap '', nohup, a background job) still ends the command at the deadline, as GNU ($(altimer_path))" {
	local which sig
	# GNU (9.1 as 9.11) always catches its -s signal, so its command gets
	# the default action back at exec; 30 s of sleep against a 0.2 s
	# deadline leaves any busy machine room.
	for which in "$GNU_TIMEOUT" "$ALTIMER"; do
		for sig in TERM HUP INT QUIT; do
			elapsed_ms sh -c "trap '' $sig; exec \"\$0\" -s $sig 0.2 sleep 30" "$which"
			[ "$status" -eq 124 ] || { echo "$which -s $sig: status $status"; return 1; }
			[ "$elapsed" -lt 15000 ] || { echo "$which -s $sig: ${elapsed} ms"; return 1; }
		done
	done
	# Other ignored signals stay ignored for the command, as in GNU.
	run perl -e '$SIG{HUP} = "IGNORE"; $SIG{TERM} = "IGNORE"; exec @ARGV' \
		"$ALTIMER" 5 "$PROBE" ignored
	# HUP (1) still ignored, TERM (15) not: bits 0 and 14.
	(( (16#$output & 16#4001) == 16#1 ))
}

@test "altimer's own broken pipe is not passed on as PIPE ($(altimer_path))" {
	# -v to a closed pipe: altimer's write fails with EPIPE, the command
	# must not receive a PIPE for it.
	f="$BATS_TEST_TMPDIR/own"
	run bash -c '"$0" -v --every=0.05s,USR1 1 "$1" trap 10 13 "$2" 2>&1 | true; cat "$2"' \
		"$ALTIMER" "$PROBE" "$f"
	[[ "$output" != *$'\n13'* ]]
}

@test "a stop signal that reaches the command before its exec does not hang altimer, as GNU ($(altimer_path))" {
	# Before its exec the child runs altimer's own binary: it is not a
	# nested timeout, and gets the CONT that follows the signal.
	run -124 "$GNU_TIMEOUT" -s KILL 20 "$GNU_TIMEOUT" -s TSTP 1e-9 true
	for _ in $(seq 20); do
		run -124 "$GNU_TIMEOUT" -s KILL 20 "$ALTIMER" -s TSTP 1e-9 true
		run -124 "$GNU_TIMEOUT" -s KILL 20 "$ALTIMER" -s TTIN 1e-10 sh -c 'exit 138'
	done
}

@test "a user's script named timeout is no nested timeout: its group gets the signal, as under GNU ($(altimer_path))" {
	local which dir="$BATS_TEST_TMPDIR/script" log pid
	mkdir -p "$dir"
	# The script's child logs the TERM it gets through the group.
	cat >"$dir/timeout" <<-'EOF'
	#!/bin/sh
	sh -c 'trap "echo TERM >>\"\$0\"; exit 0" TERM; echo ready >"$0.ready"
		while :; do sleep 0.05; done' "$1" &
	wait
	EOF
	chmod +x "$dir/timeout"
	for which in "$GNU_TIMEOUT" "$ALTIMER --contain=group"; do
		log="$BATS_TEST_TMPDIR/log.$RANDOM"
		# shellcheck disable=SC2086 # the option goes with altimer
		$which 60 "$dir/timeout" "$log" 3>&- &
		pid=$!
		alarm_when_ready "$pid" "$log.ready"
		wait "$pid" || true
		wait_for "$log" TERM 30 || { echo "$which: no TERM for the script's child"; return 1; }
	done
}

@test "nested timeouts translate the signal, as with GNU: altimer inside altimer ($(altimer_path))" {
	# The outer ALRM reaches the inner altimer, which sends its own USR1.
	# The inner one is the real binary: the seccomp runs' stand-in cannot nest.
	nested "$ALTIMER" -- "$ALTIMER_NAME" -s USR1 30 sh -c "$nested_command"
	[ "$output" = USR1 ]
}

@test "nested timeouts translate the signal: GNU timeout inside altimer, as inside GNU ($(altimer_path))" {
	nested "$GNU_TIMEOUT" -- "$GNU_TIMEOUT" -s USR1 30 sh -c "$nested_command"
	[ "$output" = USR1 ]
	nested "$ALTIMER" -- "$GNU_TIMEOUT" -s USR1 30 sh -c "$nested_command"
	[ "$output" = USR1 ]
	# The inner one deeper in the tree, behind a shell.
	# shellcheck disable=SC2016 # for that shell
	nested "$ALTIMER" -- sh -c '"$0" -s USR1 30 sh -c "$1" "$2"; exit $?' \
		"$GNU_TIMEOUT" "$nested_command"
	[ "$output" = USR1 ]
}

@test "nested timeouts: KILL and the clean-up still reach the inner command ($(altimer_path))" {
	run "$ALTIMER" -k 0.3 -s ALRM 0.3 "$ALTIMER_NAME" -s USR1 60 sh -c 'trap "" USR1; setsid sleep 77 & wait'
	[ "$status" -eq 137 ] || [ "$status" -eq 124 ]
	run pgrep -f "^sleep 77\$"
	[ "$status" -eq 1 ]
}

@test "when altimer dies, the command gets the ladder's first signal, as GNU 9.10 ($(altimer_path))" {
	f="$BATS_TEST_TMPDIR/death"
	"$ALTIMER" -s USR1 30 "$PROBE" trap 10 "$f" 3>&- &
	pid=$!
	wait_for "$f" ready
	probe_pid=$(child_running "$pid" probe)
	kill -KILL "$pid"
	wait_for "$f" '^10$' 5
	# The probe lives on after its USR1: it is the test's to end.
	kill -KILL "$probe_pid" 2>/dev/null || true
}

@test "altimer as PID 1 of a namespace still runs its command (the parent check) ($(altimer_path))" {
	unshare --fork --pid true 2>/dev/null || skip "no PID namespaces here"
	run unshare --fork --pid "$ALTIMER" 5 sh -c 'echo "parent $PPID"'
	[ "$status" -eq 0 ]
	[ "$output" = "parent 1" ]
}

@test "altimer as PID 1 of a namespace passes on a TERM from outside and reaps orphans ($(altimer_path))" {
	unshare --fork --pid --mount-proc true 2>/dev/null || skip "no PID namespaces here"
	local dir=$BATS_TEST_TMPDIR
	# The command leaves an orphan (a subshell's child, handed to altimer
	# as the namespace's init), then waits for TERM.
	unshare --fork --pid --mount-proc "$ALTIMER" 60 sh -c '
		(sleep 0.1 &)
		trap "echo TERM; exit 3" TERM
		echo ready >"$1"
		while :; do sleep 0.1; done' sh "$dir/ready" >"$dir/out" &
	local unshare_pid=$!
	wait_for "$dir/ready" ready
	local altimer_pid
	altimer_pid=$(pgrep -P "$unshare_pid")
	# The orphan has ended by now: it must not stay a zombie.
	sleep 1
	run ps --ppid "$altimer_pid" -o stat=
	[[ "$output" != *Z* ]]
	kill -TERM "$altimer_pid"
	status=0
	wait "$unshare_pid" || status=$?
	[ "$status" -eq 3 ]
	[ "$(cat "$dir/out")" = TERM ]
}
