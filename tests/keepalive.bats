#!/usr/bin/env bats
# --keepalive: output keeps the command alive, silence times it out, and the
# output passes through unchanged.

load helpers/common

@test "output keeps the command alive past the keepalive" {
	run "$ALTIMER" --keepalive 0.6 20 sh -c 'for i in 1 2 3 4 5 6; do echo tick; sleep 0.2; done'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "silence times the command out with 124, long before the deadline" {
	elapsed_ms "$ALTIMER" -i 0.3 60 sh -c 'echo one; sleep 30'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
}

@test "the silence is measured from the last output, however many keepalives passed" {
	elapsed_ms "$ALTIMER" --report="$BATS_TEST_TMPDIR/r.json" -i 0.5 20 \
		sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo tick; sleep 0.1; done; sleep 8' \
		>"$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 124 ]
	[ "$(grep -c tick "$BATS_TEST_TMPDIR/out")" -eq 10 ]
	# last output at >= 0.9 s, so no timeout before 1.4 s; well before the sleep ends
	[ "$elapsed" -ge 1400 ]
	[ "$elapsed" -lt 6000 ]
	# the keepalive fired once, after the output stopped
	[ "$(jq -c '[.reason, .timers.keepalive]' "$BATS_TEST_TMPDIR/r.json")" = '["keepalive",1]' ]
}

@test "output on stderr is a sign of life too" {
	run "$ALTIMER" -i 0.6 20 sh -c 'for i in 1 2 3 4 5 6; do echo tick >&2; sleep 0.2; done'
	[ "$status" -eq 0 ]
}

@test "-vv says the keepalive fired, then which signal went out" {
	run --separate-stderr "$ALTIMER" -vv -i 0.2 60 sleep 30
	[ "$status" -eq 124 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: keepalive: no sign of life from command 'sleep' for 0.2s" ]
	# The tree's snapshot comes in between (snapshot.bats).
	[ "${stderr_lines[1]}" = "$ALTIMER_NAME: the command's tree at the keepalive:" ]
	[ "${stderr_lines[-1]}" = "$ALTIMER_NAME: sending signal TERM to command 'sleep'" ]
}

@test "the keepalive goes through the same ladder: -s and -k" {
	run "$ALTIMER" -i 0.2 -s INT -k 0.2 60 sh -c 'trap "" INT; sleep 30'
	[ "$status" -eq 137 ]
}

@test "the deadline still applies to a chatty command" {
	elapsed_ms "$ALTIMER" -i 5 0.5 sh -c 'while :; do echo x; sleep 0.05; done'
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 10000 ]
}

@test "stdout and stderr come through byte for byte, binary and large" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/data"
	"$ALTIMER" -i 5 30 sh -c 'cat "$1"; cat "$1" >&2' sh "$BATS_TEST_TMPDIR/data" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/err"
}

@test "output through a slow pipe downstream is complete" {
	run bash -c '"$1" -i 5 30 seq 200000 | (sleep 0.5; md5sum)' sh "$ALTIMER"
	[ "$output" = "$(seq 200000 | md5sum)" ]
}

@test "each stream keeps its order" {
	run --separate-stderr "$ALTIMER" -i 5 30 sh -c 'for i in $(seq 500); do echo "o$i"; echo "e$i" >&2; done'
	[ "$output" = "$(seq 500 | sed 's/^/o/')" ]
	[ "$stderr" = "$(seq 500 | sed 's/^/e/')" ]
}

@test "a reader that goes away gives the command a broken pipe, as without altimer" {
	elapsed_ms bash -c '"$1" --keepalive 5s 60 yes | head -1 >/dev/null; echo "${PIPESTATUS[0]}" >"$2"' \
		sh "$ALTIMER" "$BATS_TEST_TMPDIR/status"
	[ "$(cat "$BATS_TEST_TMPDIR/status")" -eq 141 ]
	[ "$elapsed" -lt 10000 ]
}

@test "the command's end of output reaches the reader before the command ends" {
	# The reader's cat ends at end-of-file: well before the 3 s sleep.
	run bash -c 'start=$(date +%s%N)
		"$1" -i 5 10 sh -c "echo done; exec >&-; sleep 3" |
			{ cat; echo "eof after $((($(date +%s%N) - start) / 1000000)) ms"; }' sh "$ALTIMER"
	[ "${lines[0]}" = "done" ]
	[[ "${lines[1]}" =~ ^eof\ after\ ([0-9]+)\ ms$ ]]
	[ "${BASH_REMATCH[1]}" -lt 2500 ]
}

@test "an invalid keepalive is refused with 125" {
	run "$ALTIMER" --keepalive soon 10 true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"altimer: invalid time interval 'soon' (--keepalive: "* ]]
}

@test "the command's environment tells it its deadline" {
	run "$ALTIMER" 100 sh -c 'echo "$ALTIMER_DEADLINE"'
	now=$(date +%s)
	deadline=${output%.*}
	[ "$deadline" -ge $((now + 95)) ]
	[ "$deadline" -le $((now + 101)) ]
	run env ALTIMER_DEADLINE=stale "$ALTIMER" 0 sh -c 'echo "${ALTIMER_DEADLINE-unset}"'
	[ "$output" = unset ]
}
