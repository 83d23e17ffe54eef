#!/usr/bin/env bats
# When a sandbox refuses the pidfd calls (ENOSYS or EPERM from seccomp, as in
# older container profiles), altimer falls back to kill() and SIGCHLD on its
# own and behaves the same.

load helpers/common

setup() {
	"$DENY" ENOSYS pidfd_open -- true 2>/dev/null ||
		skip "seccomp filters cannot be installed here"
}

@test "with pidfd_open refused (ENOSYS) a timeout still gives 124" {
	elapsed_ms "$DENY" ENOSYS pidfd_open -- "$ALTIMER" 0.2 sleep 10
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 5000 ]
}

@test "with pidfd_open refused (EPERM) exit statuses still pass through" {
	run "$DENY" EPERM pidfd_open -- "$ALTIMER" 5 sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run "$DENY" EPERM pidfd_open -- "$ALTIMER" -s KILL 0.1 sleep 10
	[ "$status" -eq 137 ]
}

@test "with pidfd_send_signal refused, pidfd_open allowed, signals still arrive" {
	for errno in ENOSYS EPERM; do
		run "$DENY" "$errno" pidfd_send_signal -- "$ALTIMER" -k 0.2 0.1 \
			sh -c 'trap "" TERM; sleep 10'
		[ "$status" -eq 137 ] || { echo "$errno: $status"; false; }
	done
}

@test "with every pidfd call refused the process group is still timed out" {
	f="$BATS_TEST_TMPDIR/grandchild"
	run "$DENY" ENOSYS pidfd_open pidfd_send_signal clone3 -- \
		"$ALTIMER" 0.3 sh -c 'sleep 30 & echo $! > "$1"; wait' sh "$f"
	[ "$status" -eq 124 ]
	wait_gone "$(cat "$f")" 5
}

@test "a refused pidfd_open makes altimer use kill(2), seen by strace" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	log="$BATS_TEST_TMPDIR/strace"
	# LeakSanitizer (in sanitizer builds) cannot run under ptrace.
	ASAN_OPTIONS=detect_leaks=0 run "$DENY" ENOSYS pidfd_open -- strace -f -o "$log" \
		-e trace=pidfd_open,pidfd_send_signal,kill "$ALTIMER" 0.2 sleep 10
	[ "$status" -eq 124 ]
	grep -q 'pidfd_open(.*ENOSYS' "$log"
	grep -q 'kill(-[0-9]*, SIGTERM)' "$log"
	run ! grep -q 'pidfd_send_signal(' "$log"
}

@test "when fork fails altimer says so and exits 125" {
	# LeakSanitizer (in sanitizer builds) needs clone for its own check.
	ASAN_OPTIONS=detect_leaks=0 run "$DENY" EAGAIN clone clone3 -- "$ALTIMER" 5 true
	[ "$status" -eq 125 ]
	[ "$output" = "$ALTIMER_NAME: cannot start the command: Resource temporarily unavailable" ]
}

@test "when descriptors run out altimer exits 125 naming the cause, or does without what it can, as GNU runs" {
	run "$DENY" EMFILE signalfd4 -- "$ALTIMER" 5 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"Too many open files" ]]
	[ "${#lines[@]}" -eq 1 ]
	# The keepalive's relay needs its pipes.
	run "$DENY" EMFILE pipe2 -- "$ALTIMER" -i 5 10 true
	[ "$status" -eq 125 ]
	[ "$output" = "$ALTIMER_NAME: cannot create the output relay pipes: Too many open files" ]
	# Without the exec pipe the command says itself why it cannot run;
	# without a pidfd kill() on the un-reaped child does.
	run "$DENY" EMFILE pipe2 -- "$ALTIMER" 5 sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run "$DENY" EMFILE pipe2 -- "$ALTIMER" 5 /nonexistent/command
	[ "$status" -eq 127 ]
	[ "$output" = "$ALTIMER_NAME: failed to run command '/nonexistent/command': No such file or directory" ]
	run "$DENY" EMFILE pidfd_open -- "$ALTIMER" 0.2 sleep 10
	[ "$status" -eq 124 ]
}

@test "a POSIX timer refused with EAGAIN (RLIMIT_SIGPENDING): a timerfd keeps the deadline" {
	run "$DENY" EAGAIN timer_create -- "$ALTIMER" 0.2 sleep 10
	[ "$status" -eq 124 ]
}

@test "when no timer at all can be made the command is never started" {
	f="$BATS_TEST_TMPDIR/pid"
	for options in "5" "-i 5 10" "--every=1,USR1 10" "-k 1 10" "--notify 10"; do
		# shellcheck disable=SC2086 # the options are words
		run "$DENY" EAGAIN timer_create timerfd_create -- "$ALTIMER" $options sh -c 'echo $$ > "$1"' sh "$f"
		[ "$status" -eq 125 ]
		[ "$output" = "$ALTIMER_NAME: cannot create a timer: Resource temporarily unavailable" ]
		[ ! -e "$f" ]
	done
}

@test "a closed stderr under --verbose does not kill altimer" {
	run bash -c '"$1" -v 0.1 sleep 10 2>&1 | true; echo "${PIPESTATUS[0]}"' sh "$ALTIMER"
	[ "$output" = 124 ]
}
