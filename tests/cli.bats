#!/usr/bin/env bats
# The command line: options, operands, and errors for bad input.

load helpers/common
load helpers/gnu

@test "options stop at the first operand: COMMAND keeps its own options" {
	run "$ALTIMER" 5 sh -c 'echo "$@"' sh -v --help -s KILL
	[ "$status" -eq 0 ]
	[ "$output" = "-v --help -s KILL" ]
}

@test "altimer 5 ls -l passes -l to ls" {
	run "$ALTIMER" 5 ls -ld /
	[ "$status" -eq 0 ]
	[[ "$output" == d* ]]
}

@test "-- ends the options" {
	run "$ALTIMER" -- 5 echo hi
	[ "$status" -eq 0 ]
	[ "$output" = "hi" ]
}

@test "a DURATION that looks like an option after -- is still a duration" {
	run "$ALTIMER" -v -- 5 echo ok
	[ "$output" = "ok" ]
}

@test "--signal takes its value separately, after =, and bundled" {
	for form in "-s KILL" "-sKILL" "--signal KILL" "--signal=KILL" "-vsKILL"; do
		# shellcheck disable=SC2086
		run "$ALTIMER" $form 0.1 sleep 10
		[ "$status" -eq 137 ] || { echo "form $form gave $status"; false; }
	done
}

@test "long options may be abbreviated when unambiguous, as with GNU" {
	run "$ALTIMER" --sig=KILL --verb 0.1 sleep 10
	[ "$status" -eq 137 ]
	[[ "$output" == *"sending signal KILL to command 'sleep'"* ]]
}

@test "an unknown option, a bad flag value or a missing argument: GNU's two lines, exit 125" {
	like_gnu --bogus 1 true
	like_gnu --bogus=x 1 true
	like_gnu ---x 1 true
	like_gnu -x 1 true
	like_gnu -/ 1 true
	like_gnu -vx 1 true
	like_gnu -s
	like_gnu -k
	like_gnu -vk
	like_gnu --signal
	like_gnu --sig
	like_gnu --kill-after
	like_gnu --verbose=yes 1 true
	like_gnu --preserve-status=1 1 true
	like_gnu --foreground= 1 true
	like_gnu --help=x
	like_gnu --h=1
	# An option's value is the next word, whatever it looks like.
	like_gnu --signal -9 1 true
	like_gnu -s -- 1 true
	like_gnu -k --help 1 true
	like_gnu --kill-after --help 1 true
	like_gnu --signal=KILL=9 1 true
	like_gnu -v- 1 true
	like_gnu -- -- 1 true
}

@test "usage errors are two lines: GNU's words, then Try 'altimer --help'" {
	run -125 as_altimer --frobnicate 1 true
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "altimer: unrecognized option '--frobnicate'" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
	run -125 as_altimer -s
	[ "${lines[0]}" = "altimer: option requires an argument -- 's'" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
}

@test "messages name the program as it was run, as GNU's program_name does" {
	run -125 "$ALTIMER" --bogus 1 true
	[ "${lines[0]}" = "$ALTIMER_NAME: unrecognized option '--bogus'" ]
	[ "${lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
	run -125 as_timeout altimer -x 1 true
	[ "${lines[0]}" = "timeout: invalid option -- 'x'" ]
	[ "${lines[1]}" = "Try 'timeout --help' for more information." ]
}

@test "options are read in order, as getopt reads them: the first problem or --help wins" {
	like_gnu --bogus --help
	like_gnu -s NOPE --help
	like_gnu -k soon --bogus 1 true
	like_gnu --bogus -k soon 1 true
	run -0 as_timeout altimer --help --bogus
	[[ "${lines[0]}" == "Usage: "* ]]
	run -0 as_timeout gnu --help --bogus
}

@test "--k, --s, --p and --f abbreviate GNU's options, even where altimer's share the prefix" {
	run -0 "$PARSE" options --k 2 1 true
	[[ "$output" == *"kill_after 2000000000"* ]]
	[[ "$output" == *"keepalive none"* ]]
	run -0 "$PARSE" options --s KILL 1 true
	[[ "$output" == *"signal 9"* ]]
	run -0 "$PARSE" options --p 1 true
	[[ "$output" == *"preserve_status 1"* ]]
	run -0 "$PARSE" options --f 1 true
	[[ "$output" == *"foreground 1"* ]]
	# An abbreviation only altimer's option has still reaches it.
	run -0 "$PARSE" options --ke 3 1 true
	[[ "$output" == *"keepalive 3000000000"* ]]
	[[ "$output" == *"kill_after none"* ]]
}

@test "GNU's abbreviations give GNU's outcome" {
	like_gnu --k 0.2 1 sh -c 'trap "" TERM; sleep 5'
	like_gnu --kill=0.2 1 sh -c 'trap "" TERM; sleep 5'
	like_gnu --s KILL 0.1 sleep 5
	like_gnu --sig=HUP 0.1 sleep 5
	like_gnu --p 1 sh -c "exit 3"
	like_gnu --pre 0.1 sh -c 'exit 3'
	like_gnu --f 0.1 sleep 5
	like_gnu --fore 1 true
	like_gnu --verb 1 true
}

@test "an ambiguous abbreviation lists the candidates in getopt's words" {
	like_gnu --v 1 true
	like_gnu --ver 1 true
	like_gnu --ve=1 1 true
	run -125 as_altimer --n 1 true
	[ "${lines[0]}" = "altimer: option '--n' is ambiguous; possibilities: '--no-leftovers' '--notify'" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
}

@test "no operands, or no COMMAND: altimer says what is missing, then GNU's Try line" {
	run -125 as_altimer
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "altimer: missing operand" ]
	[ "${lines[1]}" = "Try 'altimer --help' for more information." ]
	run -125 as_altimer -v 5
	[ "${lines[0]}" = "altimer: missing operand after '5'" ]
	# GNU prints the Try line alone, before looking at DURATION.
	for args in "" "5" "-v" "-- 5" "xyz" "--foreground"; do
		# shellcheck disable=SC2086
		run -125 as_timeout altimer $args
		ours=${lines[1]}
		# shellcheck disable=SC2086
		run -125 as_timeout gnu $args
		[ "${#lines[@]}" -eq 1 ]
		[ "$ours" = "${lines[0]}" ]
	done
}

@test "-v twice (-vv, -v -v, --verbose --verbose) is level 2" {
	for form in "1:-v" "2:-vv" "2:-v -v" "2:--verbose --verbose" "2:-v --verb" "1:-fvp" \
		"3:-vvv" "0:"; do
		# shellcheck disable=SC2086
		run -0 "$PARSE" options ${form#*:} 1 true
		[[ "$output" == *"verbose ${form%%:*}"* ]] || { echo "$form: $output"; false; }
	done
	# GNU takes -v more than once too.
	like_gnu -vv 1 true
	like_gnu --verbose --verbose 1 true
}

@test "--help prints usage and every option to stdout and exits 0" {
	run "$ALTIMER" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: altimer [OPTION]... DURATION COMMAND [ARG]..." ]]
	for option in --signal --kill-after --preserve-status --foreground --verbose --help --version; do
		[[ "$output" == *"$option"* ]] || { echo "missing $option"; false; }
	done
}

@test "--help wins over a bad duration, as in GNU" {
	run "$ALTIMER" --help nonsense
	[ "$status" -eq 0 ]
}

@test "--version names altimer and exits 0" {
	run "$ALTIMER" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^altimer\ [0-9]+\.[0-9]+ ]]
}

@test "--help to a closed stdout is an error, not silence" {
	run sh -c '"$0" --help >&-' "$ALTIMER"
	[ "$status" -eq 125 ]
}

@test "--help and --version to a full disk: GNU's write error line, exit 125" {
	for option in --help --version; do
		status=0
		err=$(as_altimer "$option" 2>&1 >/dev/full) || status=$?
		[ "$status" -eq 125 ]
		[ "$err" = "altimer: write error: No space left on device" ]
		status=0
		ours=$(as_timeout altimer "$option" 2>&1 >/dev/full) || status=$?
		[ "$status" -eq 125 ]
		gnu=$(as_timeout gnu "$option" 2>&1 >/dev/full) || status=$?
		[ "$ours" = "$gnu" ]
	done
	ours=$(as_timeout altimer --help 2>&1 >&-) || status=$?
	gnu=$(as_timeout gnu --help 2>&1 >&-) || status=$?
	[ "$ours" = "timeout: write error: Bad file descriptor" ]
	[ "$ours" = "$gnu" ]
}

@test "-v prints GNU's lines and nothing more, under the name altimer was run as" {
	run "$ALTIMER" -v 0.1 sleep 10
	[ "$status" -eq 124 ]
	[ "$output" = "$ALTIMER_NAME: sending signal TERM to command 'sleep'" ]
	like_gnu -v 0.1 sleep 10
	like_gnu -v -k 0.2 0.1 sh -c 'trap "" TERM; sleep 10'
	like_gnu -v -s INT 0.1 sleep 10
	like_gnu -v --foreground 0.1 sleep 10
}

@test "-vv says which limit fired, then which signal went to which command" {
	run "$ALTIMER" -vv 0.1 sleep 10
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = "$ALTIMER_NAME: deadline: command 'sleep' still running after 0.1s" ]
	# The tree's snapshot, a title, a heading and one process (snapshot.bats).
	[ "${lines[1]}" = "$ALTIMER_NAME: the command's tree at the deadline:" ]
	# GNU timeout's own words for what GNU says.
	[ "${lines[4]}" = "$ALTIMER_NAME: sending signal TERM to command 'sleep'" ]
}

@test "-v with -k reports the TERM and then the KILL" {
	run "$ALTIMER" -v -k 0.2 1 sh -c 'trap "" TERM; sleep 10'
	[ "$status" -eq 137 ]
	[ "${lines[0]}" = "$ALTIMER_NAME: sending signal TERM to command 'sh'" ]
	[ "${lines[1]}" = "$ALTIMER_NAME: sending signal KILL to command 'sh'" ]
}

@test "the options' answers match GNU timeout's (GNU 9.1 spells -p and -f out in full)" {
	# No case races with the machine's speed: a TERM that finds COMMAND not
	# yet exec'd ends it as one after (128+15, or 124), but a -k that
	# catches it there gives 137, and a true slower than its deadline 124;
	# so the -k comes 1 s after, and the true has 5 s.
	for args in "-s INT 0.1 sleep 5" "-k 0.1 1 sleep 5" "--preserve-status 0.1 sleep 5" \
		"--foreground 0.1 sleep 5" "-v 0.1 sleep 5" "--signal=HUP 0.1 sleep 5" \
		"-s 0 5 true" "-k 0 0.1 sleep 0.3" "--bogus 1 true" "-s NOPE 1 true"; do
		# shellcheck disable=SC2086
		ours=$("$ALTIMER" $args >/dev/null 2>&1; echo $?)
		# shellcheck disable=SC2086
		gnu=$("$GNU_TIMEOUT" $args >/dev/null 2>&1; echo $?)
		[ "$ours" = "$gnu" ] || { echo "altimer $args: $ours, GNU: $gnu"; false; }
	done
}

@test "9.11: -f and -p are --foreground and --preserve-status (9.1 refuses them)" {
	run -0 "$PARSE" options -f -p 1 true
	[[ "$output" == *"foreground 1"* ]]
	[[ "$output" == *"preserve_status 1"* ]]
	run -0 "$PARSE" options -pf 1 true
	[[ "$output" == *"foreground 1"* ]]
	[[ "$output" == *"preserve_status 1"* ]]
	run -3 "$ALTIMER" -p 1 sh -c 'exit 3'
	run -0 "$ALTIMER" -f 1 true
}

@test "every test runs with a HOME of its own, empty: the machine's ~/.popt plays no part" {
	[[ "$HOME" == "$BATS_TEST_TMPDIR/"* ]]
	[ -d "$HOME" ]
	[ -z "$(ls -A "$HOME")" ]
	# And so does everything the test runs.
	run sh -c 'echo "$HOME"'
	[ "$output" = "$HOME" ]
}

# popt's alias files: a HOME of the test's own, so the machine's ~/.popt
# plays no part, and the line is the man page's own where it shows one.
with_popt() {
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	printf '%s\n' "$@" >"$HOME/.popt"
}

@test "an alias in ~/.popt stands for its options: --fast is --signal=KILL" {
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	# No alias yet: an option altimer does not know.
	run -125 "$ALTIMER" --fast 0.2 sleep 5
	[ "${lines[0]}" = "$ALTIMER_NAME: unrecognized option '--fast'" ]
	with_popt 'altimer alias --fast --signal=KILL'
	run "$ALTIMER" --fast 0.2 sleep 5
	[ "$status" -eq 137 ]
	# Where it stands among the others, and its options abbreviated.
	with_popt 'altimer alias --fast --sig=KILL' 'altimer alias -F --verb'
	run "$ALTIMER" -F --fast 0.2 sleep 5
	[ "$status" -eq 137 ]
	[ "$output" = "$ALTIMER_NAME: sending signal KILL to command 'sleep'" ]
}

@test "aliases are altimer's under any name it runs as; other programs' lines are skipped" {
	with_popt 'rpm alias --fast --signal=INT' 'timeout alias --fast --signal=HUP' \
		'altimer alias --fast --signal=KILL'
	run -137 as_timeout altimer --fast 0.2 sleep 5
	run -137 "$ALTIMER" --fast 0.2 sleep 5
}

@test "an alias's value after = follows its options, and one left without a value says so" {
	with_popt 'altimer alias --sig9 --signal' 'altimer alias --quick -s'
	run -137 "$ALTIMER" --sig9=KILL 0.2 sleep 5
	run -137 "$ALTIMER" --quick KILL 0.2 sleep 5
	run -125 "$ALTIMER" --quick
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$ALTIMER_NAME: --quick: missing argument" ]
	[ "${lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
}

@test "the man page's alias line of FILES: --ci is its ladder and its report" {
	local man="${ALTIMER_BUILDDIR:-$ALTIMER_SRCDIR}/man/altimer.1" line
	line=$(sed -n '/^\.SH FILES/,/^\.SH /p' "$man" | awk '/^\.EE/ { ex = 0 } ex { print } /^\.EX/ { ex = 1 }' |
		sed 's/\\-/-/g')
	[[ "$line" == "altimer alias --ci "* ]]
	with_popt "$line"
	cd "$BATS_TEST_TMPDIR"
	run -124 "$ALTIMER" --ci 0.2 sleep 5
	[ "$(jq -r '[.ladder[].signal] | join(",")' ci.json)" = "INT,TERM,KILL" ]
	[ "$(jq -r '.signals[0].signal' ci.json)" = INT ]
}
