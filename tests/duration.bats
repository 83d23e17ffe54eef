#!/usr/bin/env bats
# DURATION: GNU's forms, altimer's additions, and what is refused.

load helpers/common

expect_duration() {
	local got
	got=$("$PARSE" duration "$1")
	[ "$got" = "$2" ] || { echo "duration '$1': got $got, want $2"; return 1; }
}

@test "a plain number is seconds, fractions included" {
	expect_duration 5 5000000000
	expect_duration 0.5 500000000
	expect_duration .25 250000000
	expect_duration 5. 5000000000
}

@test "GNU's units s, m, h and d scale the number" {
	expect_duration 5s 5000000000
	expect_duration 1.5m 90000000000
	expect_duration 2h 7200000000000
	expect_duration 1d 86400000000000
	expect_duration 0.5d 43200000000000
}

@test "altimer adds ms, us and ns" {
	expect_duration 250ms 250000000
	expect_duration 10us 10000
	expect_duration 3ns 3
	expect_duration 1.5ms 1500000
}

@test "compound durations add their parts" {
	expect_duration 1h30m 5400000000000
	expect_duration 2m30.5s 150500000000
	expect_duration 1d2h3m4s 93784000000000
	expect_duration 1s500ms 1500000000
}

@test "0 and inf mean no deadline" {
	expect_duration 0 none
	expect_duration 0s 0 || expect_duration 0s none
	expect_duration inf none
	expect_duration INFINITY none
	expect_duration infs none
}

@test "strtod's grammar is accepted for a single number, as GNU accepts it" {
	expect_duration 1e3 1000000000000
	expect_duration 1E-3 1000000
	expect_duration 0x10 16000000000
	expect_duration 0x1p3 8000000000
	expect_duration ' 5' 5000000000
	expect_duration +5 5000000000
}

@test "huge values saturate to no deadline instead of wrapping" {
	expect_duration 1e400 none
	expect_duration 99999999999999999999d none
	expect_duration 200000000000h none
}

@test "a positive duration below a nanosecond still sets a deadline" {
	expect_duration 0.1ns 1
	expect_duration 1e-12 1
}

@test "malformed durations are refused" {
	for bad in "" -1 -0.5 nan NaN abc 1x 5S 5M "5 s" "1 " 1e . ms 1m30 1h30 \
		inf5s 5sinf 1h-5m 1h+5m 1h0x5m 1m1e3s 1mm 1s1 "1h 30m"; do
		expect_duration "$bad" invalid || return 1
	done
}

@test "altimer agrees with GNU timeout on which single numbers are valid" {
	for text in 5 0.5 .5 5. 5s 1.5m 2h 1d 1e3 1E3 0x10 0x1p3 " 5" +5 inf INF \
		Infinity infs 1e400 nan NAN 1x 5S 5M "5 s" "1 " 1e . "" abc; do
		ours=$("$ALTIMER" "$text" true >/dev/null 2>&1; echo $?)
		gnu=$("$GNU_TIMEOUT" "$text" true >/dev/null 2>&1; echo $?)
		[ "$ours" = "$gnu" ] || { echo "'$text': altimer $ours, GNU $gnu"; false; }
	done
}

@test "an invalid duration is one line naming it, exit 125" {
	run "$ALTIMER" 10x true
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "altimer: invalid duration '10x'"* ]]
	run "$ALTIMER" -k soon 1 true
	[ "$status" -eq 125 ]
	[[ "$output" == "altimer: invalid --kill-after duration 'soon'"* ]]
}

@test "a sub-second deadline fires promptly" {
	elapsed_ms "$ALTIMER" 200ms sleep 10
	[ "$status" -eq 124 ]
	[ "$elapsed" -lt 5000 ]
}

@test "a compound deadline is not cut short" {
	elapsed_ms "$ALTIMER" 0m0.3s sleep 1
	[ "$status" -eq 124 ]
	[ "$elapsed" -ge 250 ]
}

@test "with no deadline the command runs to the end" {
	run "$ALTIMER" 0 sleep 0.3
	[ "$status" -eq 0 ]
	run "$ALTIMER" inf sh -c 'exit 3'
	[ "$status" -eq 3 ]
}
