#!/usr/bin/env bats
# What the command inherits: no descriptors of altimer's, an empty signal
# mask, the caller's dispositions, and the process group it should be in.  Also run
# with pidfds refused (tests/hygiene-nopidfd.fallback).

load helpers/common

@test "the command inherits no descriptor of altimer's ($(altimer_path))" {
	direct=$("$PROBE" fds)
	run --separate-stderr "$ALTIMER" 5 "$PROBE" fds
	[ "$status" -eq 0 ]
	[ "$output" = "$direct" ]
	# From a caller with only 0, 1 and 2 open, the command sees nothing more.
	run --separate-stderr perl -e 'use POSIX; POSIX::close($_) for 3 .. 1023; exec @ARGV' \
		"$ALTIMER" 5 "$PROBE" fds
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a descriptor the caller passes on still reaches the command ($(altimer_path))" {
	run "$ALTIMER" 5 "$PROBE" fds 7</dev/null
	[[ "$output" == *"7 /dev/null"* ]]
}

@test "the command starts with an empty signal mask, not altimer's ($(altimer_path))" {
	direct=$("$PROBE" mask)
	run "$ALTIMER" 5 "$PROBE" mask
	[ "$status" -eq 0 ]
	[ "$output" = "$direct" ]
	[ "$output" = 0000000000000000 ]
}

@test "signals the caller blocked are unblocked for the command ($(altimer_path))" {
	# Without altimer the probe would see USR2 (bit 11) and TERM (bit 14).
	run perl -e 'use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2, SIGTERM)); exec @ARGV' \
		"$PROBE" mask
	[ "$output" = 0000000000004800 ]
	run perl -e 'use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2, SIGTERM)); exec @ARGV' \
		"$ALTIMER" 5 "$PROBE" mask
	[ "$output" = 0000000000000000 ]
}

@test "a caller that blocked TERM still gets its command timed out ($(altimer_path))" {
	run perl -e 'use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM)); exec @ARGV' \
		"$ALTIMER" -p 0.3 sleep 10
	# Died of the TERM (re-raised under -p), not slept it out.
	[ "$status" -eq 143 ]
}

@test "the command gets the caller's dispositions: TTIN, TTOU, CHLD not ignored ($(altimer_path))" {
	direct=$("$PROBE" ignored)
	run "$ALTIMER" 5 "$PROBE" ignored
	[ "$status" -eq 0 ]
	[ "$output" = "$direct" ]
	# TTIN (21), TTOU (22), CHLD (17): bits 20, 21, 16.
	(( (16#$output & 16#310000) == 0 ))
}

@test "a signal the caller ignored stays ignored for the command, CHLD too ($(altimer_path))" {
	run perl -e '$SIG{HUP} = "IGNORE"; $SIG{CHLD} = "IGNORE"; exec @ARGV' \
		"$ALTIMER" 5 "$PROBE" ignored
	[ "$status" -eq 0 ]
	(( (16#$output & 16#10001) == 16#10001 ))
}

@test "an ignored SIGCHLD in the caller does not lose the command's status ($(altimer_path))" {
	run perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' "$ALTIMER" 5 sh -c 'exit 9'
	[ "$status" -eq 9 ]
}

@test "the command leads its own process group; altimer stays in the caller's ($(altimer_path))" {
	run "$ALTIMER" 5 "$PROBE" pgid
	read -r pid pgid <<<"$output"
	[ "$pid" = "$pgid" ]
	[ "$pgid" != "$(ps -o pgid= $$ | tr -d ' ')" ]
}

@test "with --foreground the command stays in the caller's process group ($(altimer_path))" {
	run "$ALTIMER" --foreground 5 "$PROBE" pgid
	read -r pid pgid <<<"$output"
	[ "$pid" != "$pgid" ]
	[ "$pgid" = "$(ps -o pgid= $$ | tr -d ' ')" ]
}

@test "altimer leaves no process behind after a normal exit ($(altimer_path))" {
	run "$ALTIMER" 5 "$PROBE" pgid
	read -r pid _ <<<"$output"
	run ! kill -0 "$pid" 2>/dev/null
}
