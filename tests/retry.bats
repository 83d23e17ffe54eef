#!/usr/bin/env bats
# --retry: the attempts, what is retried, the delay and its factor, the
# budget, the status and the report; a signal from outside ends it all.

load helpers/common

setup() {
	R="$BATS_TEST_TMPDIR/r.json"
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
}

teardown() {
	# Nothing of the attempts is left in TMPDIR.
	if [ -d "${TMPDIR:-}" ]; then
		[ -z "$(ls -A "$TMPDIR")" ] || { ls -lA "$TMPDIR"; return 1; }
	fi
}

@test "a command that keeps timing out runs N+1 times, each seeing ALTIMER_ATTEMPT; the status is the last attempt's" {
	run --separate-stderr "$ALTIMER" --report="$R" --retry=2 0.3 sh -c 'echo "attempt $ALTIMER_ATTEMPT"; sleep 30'
	[ "$status" -eq 124 ]
	[ "$output" = "$(printf 'attempt 1\nattempt 2\nattempt 3')" ]
	[ -z "$stderr" ]
	[ "$(jq -c '[.attempts[] | [.attempt, .reason, .exit_status]]' "$R")" = \
		'[[1,"deadline",124],[2,"deadline",124],[3,"deadline",124]]' ]
	# Each attempt had the whole DURATION.
	[ "$(jq '[.attempts[].elapsed >= 0.3] | all' "$R")" = true ]
	# The report is the last attempt's, with every attempt listed.
	[ "$(jq -c '[.reason, .exit_status, .timed_out, .deadline]' "$R")" = '["deadline",124,true,0.3]' ]
}

@test "an attempt that succeeds ends the retries with its status" {
	run --separate-stderr "$ALTIMER" --report="$R" --retry=5 0.5 \
		sh -c '[ "$ALTIMER_ATTEMPT" -ge 2 ] && { echo done; exit 0; }; sleep 30'
	[ "$status" -eq 0 ]
	[ "$output" = "done" ]
	[ "$(jq -c '[.attempts[] | [.reason, .exit_status]]' "$R")" = '[["deadline",124],["exited",0]]' ]
}

@test "a failure is retried only under --retry-on=failure; the status is the last attempt's" {
	run "$ALTIMER" --report="$R" --retry=2 5 sh -c 'echo "attempt $ALTIMER_ATTEMPT"; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "attempt 1" ]
	[ "$(jq '.attempts | length' "$R")" -eq 1 ]
	run "$ALTIMER" --report="$R" --retry=2 --retry-on=failure 5 sh -c 'echo "attempt $ALTIMER_ATTEMPT"; exit $((ALTIMER_ATTEMPT + 2))'
	[ "$status" -eq 5 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -c '[.attempts[] | .exit_status]' "$R")" = '[3,4,5]' ]
	# A timeout is a failure too.
	run "$ALTIMER" --retry=1 --retry-on=failure 0.2 sh -c 'echo "attempt $ALTIMER_ATTEMPT"; sleep 30'
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -eq 2 ]
	# --retry-on=timeout is the default, said out loud.
	run "$ALTIMER" --retry=2 --retry-on=timeout 5 sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "-v says when an attempt is retried and after how long, the delay growing by its factor" {
	run --separate-stderr "$ALTIMER" -v --retry=3 --retry-delay=0.1,x2 0.2 sleep 30
	[ "$status" -eq 124 ]
	[ "$(grep -v -F "$ALTIMER_NAME: sending signal TERM" <<<"$stderr" | sed "s|^$ALTIMER_NAME:|altimer:|")" = "$(printf '%s\n' \
		'altimer: attempt 1 of 4 timed out; retrying in 0.1s' \
		'altimer: attempt 2 of 4 timed out; retrying in 0.2s' \
		'altimer: attempt 3 of 4 timed out; retrying in 0.4s')" ]
	[ "$(grep -c 'sending signal TERM' <<<"$stderr")" -eq 4 ]
}

@test "the budget caps all attempts together: the last one is cut short, and no more start" {
	run --separate-stderr "$ALTIMER" -v --report="$R" --retry=100 --retry-on=failure --budget=2 0.7 sleep 30
	[ "$status" -eq 124 ]
	count=$(jq '.attempts | length' "$R")
	echo "$count attempts"
	# 2 s hold two whole attempts of 0.7 s and a cut one; fewer under load.
	[ "$count" -ge 1 ]
	[ "$count" -le 3 ]
	# No attempt runs past the budget: 100 attempts of 0.7 s would take 70.
	[ "$(jq '[.attempts[].elapsed] | add < 6' "$R")" = true ]
	[ "$(jq '.attempts[-1].elapsed <= 0.7 + 1' "$R")" = true ]
	[[ "$stderr" == *"the --budget of 2s is spent"* ]] || [ "$count" -eq 3 ] || [ "$(jq '.attempts[-1].elapsed < 0.7' "$R")" = true ]
	# A delay that would end past the budget is not waited for.
	run --separate-stderr "$ALTIMER" -v --retry=5 --retry-delay=1h --budget=10m 0.2 sleep 30
	[ "$status" -eq 124 ]
	[ "$(tail -n1 <<<"$stderr")" = "$ALTIMER_NAME: attempt 1 of 6 timed out; the --budget of 600s is spent" ]
}

@test "TERM from outside ends the running attempt and everything, with no retry" {
	"$ALTIMER" --report="$R" --retry=5 30 sh -c 'echo "$ALTIMER_ATTEMPT" >"$0"; exec sleep 60' "$BATS_TEST_TMPDIR/started" &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/started" 1
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 143 ]
	[ "$(cat "$BATS_TEST_TMPDIR/started")" = 1 ]
	[ "$(jq -c '[.attempts[] | [.reason, .exit_status]]' "$R")" = '[["signal",143]]' ]
}

@test "a signal during the delay ends altimer at once, dying of it" {
	"$ALTIMER" -v --retry=5 --retry-delay=1h 0.2 sleep 30 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/err" 'retrying in 3600s' || { kill -KILL "$pid"; return 1; }
	kill -HUP "$pid"
	# At once: the delay is a wait on the signalfd, not a sleep.
	wait_gone "$pid" 10
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 129 ]
}

@test "the attempts' private variable does not reach the command, and nothing is left in TMPDIR" {
	run "$ALTIMER" --retry=1 5 sh -c 'env | grep -E "^ALTIMER_(ATTEMPT|RETRY)" | cut -d= -f1'
	[ "$status" -eq 0 ]
	[ "$output" = ALTIMER_ATTEMPT ]
}

@test "bad --retry, --retry-delay, --retry-on and --budget values are usage errors, 125" {
	check() {
		run --separate-stderr "$ALTIMER" "$1" 1 true
		[ "$status" -eq 125 ]
		[ "${stderr_lines[0]}" = "$ALTIMER_NAME: $2" ]
		[ "${stderr_lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
	}
	check --retry=x "invalid --retry 'x': give how many more attempts, 0 to 1000, such as 3"
	check --retry=-1 "invalid --retry '-1': give how many more attempts, 0 to 1000, such as 3"
	check --retry=1001 "invalid --retry '1001': give how many more attempts, 0 to 1000, such as 3"
	check --retry-delay=soon "invalid --retry-delay 'soon': use DURATION or DURATION,xFACTOR, such as 10s,x2"
	check --retry-delay=10s,2 "invalid --retry-delay '10s,2': FACTOR is a number from 1 to 1000 after an x; use DURATION or DURATION,xFACTOR, such as 10s,x2"
	check --retry-delay=10s,x0.5 "invalid --retry-delay '10s,x0.5': FACTOR is a number from 1 to 1000 after an x; use DURATION or DURATION,xFACTOR, such as 10s,x2"
	check --retry-on=never "invalid --retry-on 'never': use timeout or failure"
	check --budget=x "invalid time interval 'x' (--budget: a number with an optional unit, such as 10, 1.5s, 500ms, 2m or 1h30m)"
}

@test "kill -9 of the retrying altimer leaves nothing in TMPDIR, and its attempt ends its command" {
	"$ALTIMER" --report="$R" --retry=3 30 sh -c 'echo $$ >"$0"; exec sleep 60' "$BATS_TEST_TMPDIR/started" &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/started" '[0-9]'
	command=$(cat "$BATS_TEST_TMPDIR/started")
	kill -KILL "$pid"
	wait "$pid" || true
	# The attempt gets TERM as its parent-death signal, and passes it on.
	wait_gone "$command"
	# Nothing was ever named in TMPDIR (teardown checks it too).
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "the attempts' report file reaches no command: its descriptors are as without --retry" {
	direct=$("$PROBE" fds)
	run --separate-stderr "$ALTIMER" --report="$R" --retry=1 5 "$PROBE" fds
	[ "$status" -eq 0 ]
	[ "$output" = "$direct" ]
	[ "$(jq -c '[.attempts[] | [.reason, .exit_status]]' "$R")" = '[["exited",0]]' ]
}

@test "with memfd_create refused (seccomp), the attempts' reports go to an unnamed file in TMPDIR, and nothing is left there" {
	"$DENY" EPERM memfd_create -- true 2>/dev/null || skip "seccomp filters cannot be installed here"
	run --separate-stderr "$DENY" EPERM memfd_create -- "$ALTIMER" --report="$R" --retry=1 0.2 sleep 30
	[ "$status" -eq 124 ]
	[ "$(jq -c '[.attempts[] | [.reason, .exit_status]]' "$R")" = '[["deadline",124],["deadline",124]]' ]
	[ -z "$(ls -A "$TMPDIR")" ]
}
