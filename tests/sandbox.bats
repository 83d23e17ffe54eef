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
	run "$DENY" ENOSYS pidfd_open -- strace -f -o "$log" \
		-e trace=pidfd_open,pidfd_send_signal,kill "$ALTIMER" 0.2 sleep 10
	[ "$status" -eq 124 ]
	grep -q 'pidfd_open(.*ENOSYS' "$log"
	grep -q 'kill(-[0-9]*, SIGTERM)' "$log"
	! grep -q 'pidfd_send_signal(' "$log"
}
