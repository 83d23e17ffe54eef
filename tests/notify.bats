#!/usr/bin/env bats
# --notify: the sd_notify protocol, with Debian's systemd-notify as the client.

load helpers/common

setup() {
	command -v systemd-notify >/dev/null || skip "systemd-notify is not installed"
}

# send_raw BYTES: send one datagram to $NOTIFY_SOCKET (used inside COMMAND).
SEND_RAW='perl -MIO::Socket::UNIX -e '"'"'
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => $ENV{NOTIFY_SOCKET}) or die "connect: $!";
	$s->send(eval "\"$ARGV[0]\"") or die "send: $!";'"'"

@test "heartbeats keep a silent command alive past the keepalive" {
	run "$ALTIMER" --notify -i 0.6 20 sh -c 'for i in 1 2 3 4 5 6; do systemd-notify WATCHDOG=1 || exit 9; sleep 0.2; done'
	[ "$status" -eq 0 ]
}

@test "without heartbeats the keepalive times the command out" {
	elapsed_ms "$ALTIMER" --notify -i 0.3 60 sh -c 'systemd-notify WATCHDOG=1; sleep 30'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
}

@test "WATCHDOG_USEC= sets the keepalive" {
	elapsed_ms "$ALTIMER" --notify 60 sh -c 'systemd-notify WATCHDOG_USEC=300000; sleep 30'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
}

@test "EXTEND_TIMEOUT_USEC= extends the deadline" {
	run "$ALTIMER" --notify 0.5 sh -c 'systemd-notify EXTEND_TIMEOUT_USEC=3000000 || exit 9; sleep 1; exit 3'
	[ "$status" -eq 3 ]
}

@test "WATCHDOG=trigger times out at once" {
	run --separate-stderr "$ALTIMER" --notify -vv 60 sh -c 'systemd-notify WATCHDOG=trigger; sleep 30'
	[ "$status" -eq 124 ]
	[[ "$stderr" == *"asked to time out (WATCHDOG=trigger)"* ]]
}

@test "READY=1 and STATUS= are reported under -vv, not -v" {
	run --separate-stderr "$ALTIMER" --notify -v 10 sh -c 'systemd-notify --ready && systemd-notify --status="half way"'
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr "$ALTIMER" --notify -vv 10 sh -c 'systemd-notify --ready && systemd-notify --status="half way"'
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"command 'sh' is ready (READY=1)"* ]]
	[[ "$stderr" == *"command 'sh' status: half way"* ]]
}

@test "systemd-notify succeeds for WATCHDOG=1, --ready, --status= and EXTEND_TIMEOUT_USEC=" {
	run "$ALTIMER" --notify 10 sh -c 'systemd-notify WATCHDOG=1 && systemd-notify --ready &&
		systemd-notify --status=ok && systemd-notify EXTEND_TIMEOUT_USEC=1000000 && echo all-ok'
	[ "$status" -eq 0 ]
	[ "$output" = all-ok ]
}

@test "junk, oversized and malformed messages are ignored with a -vv note" {
	run --separate-stderr "$ALTIMER" --notify -vv -i 2 10 sh -c "
		$SEND_RAW 'garbage'; $SEND_RAW 'WATCHDOG=maybe'; $SEND_RAW 'A\\0B=1';
		$SEND_RAW \"\\xff\\xfe=\\x01\"; $SEND_RAW 'WATCHDOG_USEC=-5'; $SEND_RAW \"@{['X=' x 3000]}\";
		sleep 0.3; echo survived"
	[ "$status" -eq 0 ]
	[ "$output" = survived ]
	[ "$(grep -c 'ignored a notify message' <<<"$stderr")" -ge 5 ]
}

@test "another user cannot talk to the socket" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become another user"
	run "$ALTIMER" --notify 10 sh -c \
		'setpriv --reuid=65534 --regid=65534 --clear-groups systemd-notify WATCHDOG=1 2>/dev/null; echo "rc=$?"'
	[ "$output" != "rc=0" ]
}

@test "the socket file is gone after every way altimer ends" {
	f="$BATS_TEST_TMPDIR/path"
	check_gone() {
		local path
		path=$(cat "$f")
		[ -n "$path" ] && [ ! -e "$path" ] && [ ! -e "$(dirname "$path")" ]
	}
	run "$ALTIMER" --notify 10 sh -c 'echo "$NOTIFY_SOCKET" > "$1"' sh "$f"
	check_gone
	run "$ALTIMER" --notify 0.2 sh -c 'echo "$NOTIFY_SOCKET" > "$1"; sleep 10' sh "$f"
	[ "$status" -eq 124 ]
	check_gone
	run "$ALTIMER" --notify 10 sh -c 'echo "$NOTIFY_SOCKET" > "$1"; kill -TERM $$' sh "$f"
	[ "$status" -eq 143 ]
	check_gone
	rm -f "$f"
	"$ALTIMER" --notify 30 sh -c 'echo "$NOTIFY_SOCKET" > "$1"; sleep 30' sh "$f" 3>&- &
	pid=$!
	wait_for "$f" notify
	kill -TERM "$pid"
	wait "$pid" || true
	check_gone
}

@test "a relative XDG_RUNTIME_DIR is ignored: NOTIFY_SOCKET is absolute, systemd-notify accepts it" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p relative
	run --separate-stderr env XDG_RUNTIME_DIR=relative "$ALTIMER" --notify 10 sh -c '
		echo "$NOTIFY_SOCKET"; cd /; systemd-notify --ready && echo notified'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == /tmp/altimer-*/notify ]]
	[ "${lines[1]}" = notified ]
	[ -z "$(ls -A relative)" ]
}

@test "an absolute XDG_RUNTIME_DIR is used" {
	mkdir -p "$BATS_TEST_TMPDIR/run"
	run env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run" "$ALTIMER" --notify 10 sh -c \
		'echo "$NOTIFY_SOCKET"; systemd-notify --ready && echo notified'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "$BATS_TEST_TMPDIR/run/altimer-"*/notify ]]
	[ "${lines[1]}" = notified ]
}

@test "a line without '=' is skipped, the datagram's other lines still count" {
	# As systemd reads it: the trigger in the second line still fires.
	elapsed_ms "$ALTIMER" --notify 30 sh -c "$SEND_RAW 'garbage\\nWATCHDOG=trigger'; sleep 20"
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
	# And a bad value in one line does not hide READY=1 and STATUS= in others.
	run --separate-stderr "$ALTIMER" --notify -vv 10 sh -c \
		"$SEND_RAW 'WATCHDOG=maybe\\nREADY=1\\nno equals sign\\nSTATUS=fine'; sleep 0.3"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"ignored 2 malformed lines of a notify message"* ]]
	[[ "$stderr" == *"command 'sh' is ready (READY=1)"* ]]
	[[ "$stderr" == *"command 'sh' status: fine"* ]]
}

@test "a heartbeat after a malformed line keeps the command alive" {
	run "$ALTIMER" --notify -i 0.6 20 sh -c "for i in 1 2 3 4 5 6; do $SEND_RAW 'oops\\nWATCHDOG=1' || exit 9; sleep 0.2; done"
	[ "$status" -eq 0 ]
}

@test "heartbeats that came while altimer was stopped outlive a keepalive that expired meanwhile (Linux before 6.13 too)" {
	local report=$BATS_TEST_TMPDIR/r.json beats=$BATS_TEST_TMPDIR/beats
	for kept in false true; do
		local prefix=()
		! $kept || prefix=("${KEPT_EXPIRIES[@]}")
		"${prefix[@]}" "$ALTIMER" --notify --report="$report" -i 1 4 \
			sh -c 'while :; do systemd-notify WATCHDOG=1 || exit 9; echo >>"$1"; sleep 0.1; done' \
			sh "$beats" &
		local pid=$!
		across_a_stop "$pid" "$beats" 3
		status=0
		wait "$pid" || status=$?
		[ "$status" -eq 124 ]
		[ "$(jq -r .reason "$report")" = deadline ]
		[ "$(jq -r .timers.keepalive "$report")" -eq 0 ]
		rm -f "$beats"
	done
}

@test "EXTEND_TIMEOUT_USEC= that came while altimer was stopped outlives a deadline that expired meanwhile (Linux before 6.13 too)" {
	local report=$BATS_TEST_TMPDIR/r.json beats=$BATS_TEST_TMPDIR/beats
	for kept in false true; do
		local prefix=()
		! $kept || prefix=("${KEPT_EXPIRIES[@]}")
		"${prefix[@]}" "$ALTIMER" --notify --report="$report" 1.5 \
			sh -c 'for i in $(seq 25); do systemd-notify EXTEND_TIMEOUT_USEC=1500000 || exit 9; echo >>"$1"; sleep 0.2; done; exit 3' \
			sh "$beats" &
		local pid=$!
		across_a_stop "$pid" "$beats" 1
		status=0
		wait "$pid" || status=$?
		# extended all along: the command ended by itself
		[ "$status" -eq 3 ]
		[ "$(jq -r .reason "$report")" = exited ]
		rm -f "$beats"
	done
}
