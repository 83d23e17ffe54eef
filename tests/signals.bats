#!/usr/bin/env bats
# SIGNAL operands: names, aliases, numbers, real-time signals.

load helpers/common
load helpers/gnu

expect_signal() {
	local got
	got=$("$PARSE" signal "$1")
	[ "$got" = "$2" ] || { echo "signal '$1': got '$got', want '$2'"; return 1; }
}

@test "names work with or without SIG, in any case" {
	expect_signal TERM "15 TERM"
	expect_signal SIGTERM "15 TERM"
	expect_signal term "15 TERM"
	expect_signal sigTerm "15 TERM"
	expect_signal KILL "9 KILL"
	expect_signal hup "1 HUP"
}

@test "aliases map to GNU's canonical names" {
	expect_signal IOT "6 ABRT"
	expect_signal CLD "17 CHLD"
	expect_signal IO "29 POLL"
	expect_signal SIGPOLL "29 POLL"
}

@test "numbers name signals, and shell statuses 128+N and 256+N name N" {
	expect_signal 9 "9 KILL"
	expect_signal 143 "15 TERM"
	expect_signal 271 "15 TERM"
	expect_signal 0 "0 EXIT"
	expect_signal SIG15 "15 TERM"
}

@test "real-time signals by offset from either end" {
	expect_signal RTMIN "34 RTMIN"
	expect_signal rtmin+3 "37 RTMIN+3"
	expect_signal RTMAX "64 RTMAX"
	expect_signal SIGRTMAX-2 "62 RTMAX-2"
	expect_signal 50 "50 RTMAX-14"
	expect_signal 49 "49 RTMIN+15"
}

@test "a real-time offset is read as gnulib reads it (strtol: blanks, sign, zeros), beside GNU" {
	expect_signal RTMIN1 "35 RTMIN+1"
	expect_signal "RTMIN 1" "35 RTMIN+1"
	expect_signal RTMIN-0 "34 RTMIN"
	expect_signal RTMAX+0 "64 RTMAX"
	expect_signal RTMAX0 "64 RTMAX"
	expect_signal RTMIN+000000000000000000000000000001 "35 RTMIN+1"
	expect_signal "rtmax	-1" "63 RTMAX-1"
	# Each one sent at a deadline, and a few that are not signals.
	for name in RTMIN1 "RTMIN 1" RTMIN-0 RTMAX+0 RTMAX0 sigrtmin+02 \
		RTMIN+000000000000000000000000000001 "RTMAX - 1" "RTMIN " RTMIN+ \
		RTMIN+99999999999999999999 RTMAX+1 RTMIN-1; do
		like_gnu -v -s "$name" 0.05 sleep 10 || return 1
	done
}

@test "invalid signals are refused" {
	for bad in "" -9 +9 32 33 65 NOPE SIG TERMX RTMIN+31 RTMAX-31 RTMIN-1 \
		RTMIN+ "TERM " 9x 99999999999; do
		expect_signal "$bad" invalid || return 1
	done
}

@test "an unknown signal is GNU's line naming it, then the Try line, exit 125" {
	run -125 as_altimer -s NOPE 1 true
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "altimer: 'NOPE': invalid signal" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
	for text in NOPE "" 99 -9 SIG 32 RTMIN+31; do
		like_gnu -s "$text" 1 true
		like_gnu --signal="$text" 1 true
	done
}

@test "a bad signal is quoted as GNU quotes it, escapes and all" {
	for text in "$(printf 'a\nb')" "it's" 'a\b' "$(printf '\303\251')" "$(printf '\001x\177')" \
		"$(printf 'a\tb\rc\vd\fe\af\bg')" 'a b"c$d`e`' '??='; do
		like_gnu -s "$text" 1 true
	done
}

@test "altimer accepts and refuses the same signal operands as GNU timeout, in its words" {
	for text in 0 1 9 15 31 32 33 34 64 65 127 128 143 255 256 271 HUP hup SIGHUP \
		sighup IOT CLD IO POLL STKFLT PWR RTMIN RTMAX RTMIN+1 RTMAX-1 RTMIN+30 \
		RTMIN+31 SIG15 -9 NOPE EXIT SIGEXIT; do
		like_gnu -s "$text" 0 true
	done
}

@test "-v prints signal 0 as 0, as GNU 9.10 (9.1 said EXIT)" {
	run "$ALTIMER" -v -s 0 0.01 sleep 0.3
	[ "${lines[0]}" = "$ALTIMER_NAME: sending signal 0 to command 'sleep'" ]
}

@test "-v names each signal exactly as GNU timeout does" {
	for text in 1 6 10 16 29 31 34 49 50 64 143 iot cld io rtmin+3 rtmax-2; do
		ours=$("$ALTIMER" -v -k 0.2 -s "$text" 0.01 sleep 0.5 2>&1 >/dev/null |
			head -1 | sed "s|^$ALTIMER_NAME: ||")
		gnu=$("$GNU_TIMEOUT" -v -k 0.2 -s "$text" 0.01 sleep 0.5 2>&1 >/dev/null | head -1 |
			sed "s/^.*timeout: //; s/[‘’]/'/g")
		[ "$ours" = "$gnu" ] || { echo "-s $text: altimer '$ours', GNU '$gnu'"; false; }
	done
}

@test "every nameable signal round-trips through its name" {
	count=0
	while read -r number name; do
		expect_signal "$name" "$number $name" || return 1
		expect_signal "SIG$name" "$number $name" || return 1
		count=$((count + 1))
	done < <("$PARSE" signals)
	[ "$count" -ge 60 ]
}

@test "the signal given with -s is the one the command receives" {
	f="$BATS_TEST_TMPDIR/trap"
	run "$ALTIMER" -s USR1 -k 5 0.3 "$PROBE" trap 10 "$f"
	[ "$status" -eq 137 ] || [ "$status" -eq 124 ]
	grep -qx 10 "$f"
}
