#!/usr/bin/env bats
# DURATION: GNU's forms, altimer's additions, and what is refused.

load helpers/common
load helpers/gnu

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
	expect_duration 1e-400 1
}

@test "9.11: a positive duration too small for any float is 1 ns, not none" {
	expect_duration 1e-10000 1
	expect_duration 1e-99999 1
	expect_duration 0x1p-99999 1
	expect_duration 1e-10000s 1
	expect_duration 1e-10000d 1
	expect_duration "0.$(printf '%05000d' 0)1" 1
}

@test "9.11: 1e-10000 times out (GNU 9.1 read it as 0, no limit)" {
	run -124 "$ALTIMER" 1e-10000 sleep 10
	run -124 "$ALTIMER" 1e-400 sleep 10
	# -k too: the KILL follows the ignored TERM at once.
	elapsed_ms "$ALTIMER" -k 1e-10000 1 sh -c 'trap "" TERM; sleep 10'
	[ "$status" -eq 137 ]
	[ "$elapsed" -lt 5000 ]
}

@test "9.11: a negative duration too small for any float is refused (GNU 9.1 read it as 0)" {
	expect_duration -1e-10000 invalid
	expect_duration -1e-400 invalid
	expect_duration -0x1p-99999 invalid
	run -125 as_altimer -- -1e-10000 sleep 0
	[ "${lines[0]}" = "altimer: invalid time interval '-1e-10000'" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
	run -125 as_altimer -k -1e-10000 1 sleep 0
	[ "${lines[0]}" = "altimer: invalid time interval '-1e-10000'" ]
}

@test "-0 is 0, as in GNU: no deadline" {
	expect_duration -0 none
	expect_duration -0.0s none
	like_gnu -- -0 true
	like_gnu -- -0.0s sh -c 'exit 3'
	like_gnu -k -0 1 true
}

@test "hex floats are read as strtod reads them, as GNU reads them" {
	expect_duration 0x1p-2 250000000
	expect_duration 0x10 16000000000
	expect_duration 0x.8 500000000
	expect_duration 0X1P-2s 250000000
	expect_duration 0x1p-2m 15000000000
	# "d" is a hex digit: 0x1d is 29 seconds, not one day.
	expect_duration 0x1d 29000000000
	like_gnu 0x1p-2 sleep 5
	like_gnu 0x10 true
	like_gnu 0x1d true
	like_gnu -k 0x1p-3 0x1 sh -c 'trap "" TERM; sleep 5'
	like_gnu 0x true
	like_gnu 0xs true
	like_gnu 0x1q true
}

@test "malformed durations are refused" {
	for bad in "" -1 -0.5 nan NaN abc 1x 5S 5M "5 s" "1 " 1e . ms 1m30 1h30 \
		inf5s 5sinf 1h-5m 1h+5m 1h0x5m 1m1e3s 1mm 1s1 "1h 30m" -1e-10000; do
		expect_duration "$bad" invalid || return 1
	done
}

@test "altimer agrees with GNU timeout on which single numbers are valid, in GNU's words" {
	for text in 5 0.5 .5 5. 5s 1.5m 2h 1d 1e3 1E3 0x10 0x1p3 " 5" +5 inf INF \
		Infinity infs 1e400 nan NAN 1x 5S 5M "5 s" "1 " 1e . "" abc - 42D \
		"$(printf '1\n')" "it's" 'a\b' "$(printf '\303\251')"; do
		like_gnu "$text" true
		like_gnu -k "$text" 1 true
	done
	like_gnu -- -1 true
	like_gnu -- ' -0.1' true
}

@test "an invalid duration is GNU's line naming it and nothing more, then the Try line" {
	run -125 as_altimer 10x true
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "altimer: invalid time interval '10x'" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
	run -125 as_altimer -k soon 1 true
	[ "${lines[0]}" = "altimer: invalid time interval 'soon'" ]
	run -125 as_altimer --kill-after=xyz 1 true
	[ "${lines[0]}" = "altimer: invalid time interval 'xyz'" ]
	# The peer suites' cases (uutils compares stderr exactly), GNU beside.
	like_gnu xyz sleep 0
	like_gnu -k xyz 1 sleep 0
	like_gnu --kill-after=xyz 1 sleep 0
	like_gnu -s invalid 1 sleep 0
	# altimer's own options, which GNU lacks, say which one and what a
	# duration looks like.
	run -125 as_altimer -i soon 1 true
	[[ "${lines[0]}" == "altimer: invalid time interval 'soon' (--keepalive: "* ]]
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

@test "a decimal comma is read in a locale that has one, as GNU reads it there" {
	command -v localedef >/dev/null && [ -e /usr/share/i18n/locales/de_DE ] ||
		skip "localedef or the de_DE locale source is missing"
	export LOCPATH="$BATS_TEST_TMPDIR/locales"
	mkdir -p "$LOCPATH"
	localedef -i de_DE -f UTF-8 "$LOCPATH/de_DE.UTF-8" >/dev/null 2>&1 ||
		skip "localedef could not build de_DE.UTF-8"
	export LC_ALL=de_DE.UTF-8
	# glibc's newlocale() forgets a small buffer when LOCPATH is set: the
	# sanitizer build's LeakSanitizer must not count glibc's leak as ours.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	expect_duration 1,5 1500000000
	expect_duration 1,5m 90000000000
	expect_duration 1.5 1500000000
	for args in "1,5 true" "0,1 sleep 5" "-k 0,1 0,1 sleep 5" "1,5x true" "1,,5 true"; do
		# shellcheck disable=SC2086
		ours=$("$ALTIMER" $args >/dev/null 2>&1; echo $?)
		# shellcheck disable=SC2086
		gnu=$("$GNU_TIMEOUT" $args >/dev/null 2>&1; echo $?)
		[ "$ours" = "$gnu" ] || { echo "$args: altimer $ours, GNU $gnu"; false; }
	done
	# Not in the C locale.
	LC_ALL=C expect_duration 1,5 invalid
}
