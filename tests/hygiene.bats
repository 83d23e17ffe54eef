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

@test "closed standard descriptors: altimer's own descriptors never take 0, 1 or 2 ($(altimer_path))" {
	# Before, the signalfd could take fd 1 and be replaced under --keepalive:
	# "lost track of the command" in about 15 runs of 100.
	for _ in $(seq 40); do
		"$ALTIMER" -i 10 5 true >&- || return 1
		"$ALTIMER" -i 10 5 true 2>&- || return 1
		"$ALTIMER" 5 true <&- >&- 2>&- || return 1
	done
}

@test "a closed stdout stays closed for the command, as with GNU timeout ($(altimer_path))" {
	script='echo x 2>/dev/null && echo open >&2 || echo closed >&2'
	gnu=$("$GNU_TIMEOUT" 5 sh -c "$script" 2>&1 >&-)
	[ "$gnu" = closed ]
	run sh -c '"$0" 5 sh -c "$1" 2>&1 >&-' "$ALTIMER" "$script"
	[ "$output" = closed ]
	run sh -c '"$0" -i 5 10 sh -c "$1" 2>&1 >&-' "$ALTIMER" "$script"
	[ "$output" = closed ]
}

@test "--keepalive with stdout closed runs the command to its end, not 125 ($(altimer_path))" {
	run sh -c '"$0" -i 10 30 sh -c "exec >&-; sleep 0.5; exit 3" >&-' "$ALTIMER"
	[ "$status" -eq 3 ]
}

@test "--keepalive with stdout and stderr closed does not spin ($(altimer_path))" {
	# Measured as altimer's own CPU time while the command writes to a
	# closed stderr and then sleeps: a spinning relay burns the whole second.
	run bash -c '"$0" -i 10 30 sh -c "for i in \$(seq 2000); do echo x >&2; done; sleep 1" >&- 2>&-; echo "status $?"; times' "$ALTIMER"
	[ "${lines[0]}" = "status 0" ]
	cpu=$(awk 'NR == 3 { print $1 " " $2 }' <<<"$output" | sed 's/[ms]/ /g' | awk '{ print ($1 * 60 + $2) + ($3 * 60 + $4) }')
	echo "children's cpu: $cpu s"
	awk -v cpu="$cpu" 'BEGIN { exit !(cpu < 0.6) }'
}
