#!/usr/bin/env bats
# The command line: options, operands, and errors for bad input.

load helpers/common

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

@test "an ambiguous abbreviation is refused with 125" {
	run "$ALTIMER" --ver 1 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"'--ver' is ambiguous"* ]]
}

@test "an unknown option is one line naming it, exit 125" {
	run "$ALTIMER" --frobnicate 1 true
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "altimer: unknown option '--frobnicate'"* ]]
	run "$ALTIMER" -x 1 true
	[ "$status" -eq 125 ]
	[[ "$output" == "altimer: unknown option '-x'"* ]]
}

@test "an option missing its argument is refused with 125" {
	run "$ALTIMER" -s
	[ "$status" -eq 125 ]
	[[ "$output" == *"'-s' needs an argument"* ]]
	run "$ALTIMER" --kill-after
	[ "$status" -eq 125 ]
	[[ "$output" == *"'--kill-after' needs an argument"* ]]
}

@test "a flag given a value is refused with 125" {
	run "$ALTIMER" --verbose=yes 1 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"'--verbose' takes no argument"* ]]
}

@test "no operands, or no COMMAND, is a usage error with 125" {
	run "$ALTIMER"
	[ "$status" -eq 125 ]
	[[ "$output" == *"missing DURATION and COMMAND"* ]]
	run "$ALTIMER" 5
	[ "$status" -eq 125 ]
	[[ "$output" == *"missing COMMAND"* ]]
	[ "${#lines[@]}" -eq 1 ]
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

@test "-v says which limit fired, then which signal went to which command" {
	run "$ALTIMER" -v 0.1 sleep 10
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$ALTIMER_NAME: deadline: command 'sleep' still running after 0.1s" ]
	# GNU timeout's own words for what GNU says.
	[ "${lines[1]}" = "$ALTIMER_NAME: sending signal TERM to command 'sleep'" ]
}

@test "-v with -k reports the TERM and then the KILL" {
	run "$ALTIMER" -v -k 0.2 0.1 sh -c 'trap "" TERM; sleep 10'
	[ "$status" -eq 137 ]
	[ "${lines[1]}" = "$ALTIMER_NAME: sending signal TERM to command 'sh'" ]
	[ "${lines[2]}" = "$ALTIMER_NAME: sending signal KILL to command 'sh'" ]
}

@test "the options' answers match GNU timeout's (GNU 9.1 spells -p and -f out in full)" {
	for args in "-s INT 0.1 sleep 5" "-k 0.1 0.1 sleep 5" "--preserve-status 0.1 sleep 5" \
		"--foreground 0.1 sleep 5" "-v 0.1 sleep 5" "--signal=HUP 0.1 sleep 5" \
		"-s 0 0.1 true" "-k 0 0.1 sleep 0.3" "--bogus 1 true" "-s NOPE 1 true"; do
		# shellcheck disable=SC2086
		ours=$("$ALTIMER" $args >/dev/null 2>&1; echo $?)
		# shellcheck disable=SC2086
		gnu=$("$GNU_TIMEOUT" $args >/dev/null 2>&1; echo $?)
		[ "$ours" = "$gnu" ] || { echo "altimer $args: $ours, GNU: $gnu"; false; }
	done
}
