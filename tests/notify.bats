#!/usr/bin/env bats
# --notify: the sd_notify protocol, with Debian's systemd-notify as the client.

load helpers/common

setup() {
	command -v systemd-notify >/dev/null || skip "systemd-notify is not installed"
}

teardown() {
	show_on_failure "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/beats" "$BATS_TEST_TMPDIR/beats.stop"
	[ -z "${heartbeats:-}" ] || kill "$heartbeats" 2>/dev/null || true
}

# send_raw BYTES: send one datagram to $NOTIFY_SOCKET (used inside COMMAND);
# a leading @ names an abstract socket, as sd_notify reads it.
SEND_RAW='perl -MIO::Socket::UNIX -e '"'"'
	(my $peer = $ENV{NOTIFY_SOCKET}) =~ s/^\@/\0/;
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => $peer) or die "connect: $!";
	$s->send(eval "\"$ARGV[0]\"") or die "send: $!";'"'"

@test "heartbeats keep a silent command alive past the keepalive" {
	# 30 heartbeats 0.1 s apart, longer than the keepalive, which is
	# twenty times the gap: a busy machine does not stretch a gap so far.
	run "$ALTIMER" --notify -i 2 20 sh -c 'for i in $(seq 30); do systemd-notify WATCHDOG=1 || exit 9; sleep 0.1; done; echo done'
	[ "$status" -eq 0 ]
	[ "$output" = "done" ]
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

@test "another user's messages are ignored" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become another user"
	# The trigger, sent as nobody, would time the command out at once.
	run "$ALTIMER" --notify 30 sh -c \
		'setpriv --reuid=65534 --regid=65534 --clear-groups systemd-notify WATCHDOG=trigger 2>/dev/null
		 systemd-notify STATUS=mine; echo done'
	[ "$status" -eq 0 ]
	[ "$output" = "done" ]
}

@test "NOTIFY_SOCKET is an abstract socket: nothing in the file system, whatever way altimer ends, kill -9 included" {
	f="$BATS_TEST_TMPDIR/path"
	# Nothing of altimer's is left in /proc/net/unix either, once it is
	# gone (the socket closes with its last descriptor).
	check_gone() {
		local name
		name=$(cat "$f")
		[[ "$name" == @altimer-notify-* ]]
		! grep -qF " ${name}" /proc/net/unix
	}
	run "$ALTIMER" --notify 10 sh -c 'echo "$NOTIFY_SOCKET" > "$1"' sh "$f"
	check_gone
	run "$ALTIMER" --notify 0.2 sh -c 'echo "$NOTIFY_SOCKET" > "$1"; sleep 10' sh "$f"
	[ "$status" -eq 124 ]
	check_gone
	rm -f "$f"
	before=$(find /tmp -maxdepth 1 -name 'altimer-*' | sort)
	"$ALTIMER" --notify 30 sh -c 'echo "$NOTIFY_SOCKET" > "$1"; exec sleep 30' sh "$f" 3>&- &
	pid=$!
	wait_for "$f" notify
	grep -qF " $(cat "$f")" /proc/net/unix
	kill -KILL "$pid"
	wait "$pid" || true
	pkill -KILL -f "^sleep 30$" -P "$pid" 2>/dev/null || true
	wait_for_gone_socket() {
		for _ in $(seq 250); do check_gone && return 0; sleep 0.02; done
		check_gone
	}
	# The command (which holds no copy of the socket) may still run.
	wait_for_gone_socket
	[ "$(find /tmp -maxdepth 1 -name 'altimer-*' | sort)" = "$before" ]
}

@test "systemd-notify reaches the abstract socket from any directory and any XDG_RUNTIME_DIR" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p relative
	run --separate-stderr env XDG_RUNTIME_DIR=relative "$ALTIMER" --notify 10 sh -c '
		echo "$NOTIFY_SOCKET"; cd /; systemd-notify --ready && echo notified'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == @altimer-notify-* ]]
	[ "${lines[1]}" = notified ]
	[ -z "$(ls -A relative)" ]
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
	run "$ALTIMER" --notify -i 2 20 sh -c "for i in \$(seq 30); do $SEND_RAW 'oops\\nWATCHDOG=1' || exit 9; sleep 0.1; done; echo done"
	[ "$status" -eq 0 ]
	[ "$output" = "done" ]
}

# start_heartbeats NAME FIRST MESSAGE LOG: in the background, once the file
# NAME holds altimer's $NOTIFY_SOCKET (the command writes it there), send
# FIRST to it, then MESSAGE every 0.1 s, a line to LOG after each, until
# altimer is gone.  Returns once it is ready (NAME.ready).  One process
# started before altimer, so its start (perl
# and its modules: over 2 s at times in the kernel matrix's emulated guests,
# as was a run of systemd-notify) is no silence of the command's.  Its send
# blocks while altimer is stopped and its queue is full, as sd_notify's.
start_heartbeats() {
	perl -MIO::Socket::UNIX -e '
		my ($name, $first, $message, $log) = @ARGV;
		open my $ready, ">", "$name.ready" or die "$name.ready: $!";
		print $ready "ready\n";
		close $ready;
		my $peer;
		for (1 .. 3000) {
			if (open my $f, "<", $name) { my $line = <$f>; $peer = $1 if defined $line && $line =~ /^(.+)\n$/; }
			last if defined $peer;
			select undef, undef, undef, 0.01;
		}
		defined $peer or die "no socket name in $name";
		$peer =~ s/^\@/\0/;
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => $peer) or die "connect: $!";
		for (my $m = $first; $s->send($m); $m = $message) {
			open my $f, ">>", $log or die "$log: $!";
			print $f "sent\n";
			close $f;
			select undef, undef, undef, 0.1;
		}' "$@" &
	heartbeats=$!
	wait_for "$1.ready" ready 30
}

@test "heartbeats that came while altimer was stopped outlive a keepalive that expired meanwhile (Linux before 6.13 too)" {
	local report=$BATS_TEST_TMPDIR/r.json beats=$BATS_TEST_TMPDIR/beats name=$BATS_TEST_TMPDIR/name
	for kept in false true; do
		local prefix=()
		! $kept || prefix=("${KEPT_EXPIRIES[@]}")
		# A keepalive of 2 s from the first heartbeat (WATCHDOG_USEC=),
		# altimer stopped for 3 s.
		start_heartbeats "$name" "$(printf 'WATCHDOG_USEC=2000000\nWATCHDOG=1')" WATCHDOG=1 "$beats"
		# shellcheck disable=SC2016 # for that shell
		"${prefix[@]}" "$ALTIMER" --notify --report="$report" 60 \
			sh -c 'echo "$NOTIFY_SOCKET" >"$1"; exec sleep 600' sh "$name" &
		local pid=$!
		across_a_stop "$pid" "$beats" 3 3
		# Once the heartbeats went on after the stop, the deadline (ALRM).
		kill -ALRM "$pid" 2>/dev/null || true
		status=0
		wait "$pid" || status=$?
		wait "$heartbeats" || true
		heartbeats=""  # reaped: its PID may be reused, teardown must not kill it
		[ "$(jq -r .reason "$report")" = deadline ]
		[ "$status" -eq 124 ]
		[ "$(jq -r .timers.keepalive "$report")" -eq 0 ]
		rm -f "$beats" "$beats.stop" "$name" "$name.ready"
	done
}

@test "EXTEND_TIMEOUT_USEC= that came while altimer was stopped outlives a deadline that expired meanwhile (Linux before 6.13 too)" {
	local report=$BATS_TEST_TMPDIR/r.json beats=$BATS_TEST_TMPDIR/beats done=$BATS_TEST_TMPDIR/done \
		name=$BATS_TEST_TMPDIR/name
	for kept in false true; do
		local prefix=()
		! $kept || prefix=("${KEPT_EXPIRIES[@]}")
		# A first deadline of 4 s, for the command to start even on a slow
		# machine; each message extends it to 2 s from then.  Once the 4 s
		# are over, only the messages hold the deadline off: a stop of
		# altimer for 3 s then outlasts it, while messages come.
		start_heartbeats "$name" EXTEND_TIMEOUT_USEC=2000000 EXTEND_TIMEOUT_USEC=2000000 "$beats"
		# shellcheck disable=SC2016 # for that shell
		"${prefix[@]}" "$ALTIMER" --notify --report="$report" 4 \
			sh -c 'echo "$NOTIFY_SOCKET" >"$1"; while [ ! -e "$2" ]; do sleep 0.1; done; exit 3' \
			sh "$name" "$done" &
		local pid=$! start=$SECONDS
		while [ $((SECONDS - start)) -le 4 ]; do sleep 0.1; done
		across_a_stop "$pid" "$beats" $(($(wc -l 2>/dev/null <"$beats" || echo 0) + 1)) 3
		# Once the messages went on after the stop, the command ends.
		touch "$done"
		status=0
		wait "$pid" || status=$?
		wait "$heartbeats" || true
		heartbeats=""  # reaped: its PID may be reused, teardown must not kill it
		# extended all along: the command ended by itself
		[ "$(jq -r .reason "$report")" = exited ]
		[ "$status" -eq 3 ]
		rm -f "$beats" "$beats.stop" "$done" "$name" "$name.ready"
	done
}
