#!/usr/bin/env bats
# Every command README.md and the man page show runs here, taken from the
# documents themselves: the README's code blocks, the .EX blocks of the man
# page's EXAMPLES (with roff's escapes undone, and checked to render to the
# same text through man and mandoc).  An example is run as it is written,
# with altimer first on PATH, in a directory holding the files it names
# (./job, ./server, a Makefile...).  Where an example waits minutes or
# hours, the test says which duration it scales down (scaled), and scaled
# checks that the rest of the text is unchanged.  A program that is not
# part of Debian (py-spy, a Go server) is a stand-in on PATH that records
# what it was given, and the test checks it got exactly that.
#
# Each test finds its examples by a pattern (EXAMPLES below); the first
# test fails for an example no pattern matches, so a new example needs a
# test, and for a pattern that matches nothing, so a changed one does too.

load helpers/common

MAN="${ALTIMER_BUILDDIR:-$ALTIMER_SRCDIR}/man/altimer.1"
README="$ALTIMER_SRCDIR/README.md"

# The patterns (bash globs) by which the tests below pick their examples.
EX_SYNOPSIS='altimer \[OPTION\]... DURATION COMMAND \[ARG\]...'
EX_BUILD_AUTORECONF='autoreconf -fi*'
EX_BUILD_CONFIGURE='./configure'
EX_BUILD_MAKE='make'
EX_BUILD_INSTALL='sudo make install'
EX_SETUP='scripts/setup'
EX_TEST='scripts/test'
EX_LS='altimer 5 ls -l*'
EX_KILL_AFTER='altimer -k 10s 1m make*'
EX_INT='altimer -s INT * ./job*'
EX_PRESERVE='altimer --preserve-status * ./server'
EX_KEEPALIVE='altimer --keepalive * make check'
EX_NOTIFY='altimer --notify -i * ./service'
EX_CURL='altimer * curl -s http://localhost/health'
EX_SETSID="altimer -v* sh -c 'setsid sleep 100 & wait'*"
EX_LADDER='altimer --ladder=* make check'
EX_EVERY='altimer --every=*,USR1 * dd if=/dev/zero of=/dev/null'
EX_REPORT='altimer --report=run.json * ./deploy.sh; jq *run.json'
EX_GDB="altimer --on-timeout='gdb -p \"\$ALTIMER_PID\" *' * ./server"
EX_GDB_TREE="altimer --on-timeout='for p in \$ALTIMER_PIDS; do gdb *' * make check"
EX_PYSPY="altimer --on-timeout='py-spy dump *' * python3 job.py"
EX_JSTACK="altimer --on-timeout='jstack *' * java -jar app.jar"
EX_QUIT="altimer --on-timeout='kill -QUIT *' * ./go-server"
EX_VIM='altimer * vim notes.txt'
EX_HEARTBEAT='altimer --heartbeat=* -i * make check'
EX_RETRY='altimer --retry=* ./flaky-test'
EXAMPLES=("$EX_SYNOPSIS" "$EX_BUILD_AUTORECONF" "$EX_BUILD_CONFIGURE" "$EX_BUILD_MAKE"
	"$EX_BUILD_INSTALL" "$EX_SETUP" "$EX_TEST" "$EX_LS" "$EX_KILL_AFTER" "$EX_INT"
	"$EX_PRESERVE" "$EX_KEEPALIVE" "$EX_NOTIFY" "$EX_CURL" "$EX_SETSID" "$EX_LADDER"
	"$EX_EVERY" "$EX_REPORT" "$EX_GDB" "$EX_GDB_TREE" "$EX_PYSPY" "$EX_JSTACK" "$EX_QUIT" "$EX_VIM" "$EX_HEARTBEAT" "$EX_RETRY")

setup() {
	TMP=$(mktemp -d)
	WORK=$TMP/work
	mkdir -p "$WORK" "$TMP/bin"
	# "altimer" as the examples type it, this build's.
	ln -s "$(realpath "$ALTIMER")" "$TMP/bin/altimer"
	# Every process an example starts carries this, to find any left.
	MARK="ALTIMER_EXAMPLE_MARK=$$.$BATS_TEST_NUMBER.$RANDOM"
}

teardown() {
	local pid
	for pid in $(left_behind); do kill -KILL "$pid" 2>/dev/null || true; done
	rm -rf "$TMP"
}

# The man page's examples: each line of each .EX block of EXAMPLES, with the
# escapes they use undone.
man_examples_source() {
	sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$MAN" | awk '/^\.EE/ { ex = 0 } ex { print } /^\.EX/ { ex = 1 }'
}

unroff() {
	sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(ga/`/g' -e 's/\\(ti/~/g' \
		-e 's/\\(ha/^/g' -e 's/\\&//g' -e 's/\\e/\\/g'
}

man_examples() {
	man_examples_source | unroff
}

# The README's commands: each line of each fenced code block.
readme_examples() {
	awk '/^```/ { block = !block; next } block && NF { print }' "$README"
}

all_examples() {
	man_examples
	readme_examples
}

# examples PATTERN: every example (of either document) the glob matches;
# fails if none does.
examples() {
	local line found=0
	while IFS= read -r line; do
		# shellcheck disable=SC2053 # a glob, on purpose
		if [[ $line == $1 ]]; then
			printf '%s\n' "$line"
			found=1
		fi
	done < <(all_examples)
	[ "$found" -eq 1 ] || { echo "no example matches: $1" >&2; return 1; }
}

# scaled TEXT WORD NEW: TEXT with its one word WORD (a duration) replaced
# by NEW, for an example that would otherwise wait minutes or hours.
# Fails unless WORD is there exactly once, as a whole word.
scaled() {
	local text=$1 word=$2 new=$3 pattern count
	pattern="(^| )${word//./\\.}( |$)"
	count=$(grep -o -E -- "$pattern" <<<"$text" | wc -l)
	[ "$count" -eq 1 ] || { echo "scaled: '$word' is in '$text' $count times" >&2; return 1; }
	sed -E "s/$pattern/\\1$new\\2/" <<<"$text"
}

# run_example TEXT: run TEXT with bash in $WORK, altimer and the stand-ins
# first on PATH, marked; status, output and stderr as bats's run gives them.
run_example() {
	cd "$WORK" || return
	echo "example: $1"
	# Not the make of make check: an example's make is a make of its own.
	run --separate-stderr env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MARK" PATH="$TMP/bin:$PATH" \
		bash -c "$1"
	echo "status $status"
	echo "stdout: $output"
	echo "stderr: $stderr"
}

# Processes still carrying this test's mark.
left_behind() {
	grep -l -a -s -F "$MARK" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -v -x "$$" || true
}

# none_left: wait (up to 10 s) until nothing an example started is alive.
none_left() {
	local deadline=$((SECONDS + 10)) pids
	while pids=$(left_behind) && [ -n "$pids" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			for pid in $pids; do ps -o pid=,args= -p "$pid" >&2 || true; done
			return 1
		fi
		sleep 0.05
	done
}

executable() {
	printf '#!/bin/sh\n%s\n' "$2" >"$WORK/$1"
	chmod +x "$WORK/$1"
}

makefile() {
	printf '%s\n' "$@" >"$WORK/Makefile"
}

stand_in() {
	printf '#!/bin/sh\n%s\n' "$2" >"$TMP/bin/$1"
	chmod +x "$TMP/bin/$1"
}

@test "every example of README.md and the man page has a test here, and every test an example" {
	local example pattern matched
	[ "$(man_examples | wc -l)" -ge 16 ]
	[ "$(readme_examples | grep -c '^altimer ')" -ge 6 ]
	while IFS= read -r example; do
		matched=0
		for pattern in "${EXAMPLES[@]}"; do
			# shellcheck disable=SC2053 # a glob, on purpose
			[[ $example == $pattern ]] && matched=$((matched + 1))
		done
		[ "$matched" -eq 1 ] || { echo "$matched tests for the example: $example"; return 1; }
	done < <(all_examples)
	for pattern in "${EXAMPLES[@]}"; do
		examples "$pattern" >/dev/null
	done
}

@test "the man page's examples render exactly as typed, through man and through mandoc" {
	[ "$(man_examples | wc -l)" -ge 16 ]
	# Nothing roff would still interpret is left once the escapes are undone.
	run man_examples
	[[ "$output" != *\\* ]]
	source_lines=$(man_examples_source)
	# Each example is one line of an .EX block: no font change, no
	# request, no double quote as a macro argument.
	[[ "$source_lines" != *'\f'* ]]
	[ "$(grep -c '^\.' <<<"$source_lines")" -eq 0 ]
	renderers=("mandoc -T utf8" "man -l")
	for renderer in "${renderers[@]}"; do
		command -v "${renderer%% *}" >/dev/null || continue
		# In a UTF-8 locale, where groff would turn ' and - into other
		# characters unless escaped.
		rendered=$(LC_ALL=C.UTF-8 MANWIDTH=80 $renderer "$MAN" 2>/dev/null | col -b |
			sed -n '/^EXAMPLES/,/^DIFFERENCES/p' | sed 's/^ *//')
		while IFS= read -r example; do
			grep -q -x -F -- "$example" <<<"$rendered" ||
				{ echo "$renderer does not show: $example"; return 1; }
		done < <(man_examples)
	done
}

@test "README: the synopsis is --help's" {
	synopsis=$(examples "$EX_SYNOPSIS")
	[ "$("$ALTIMER" --help | head -1)" = "Usage: $synopsis" ]
}

@test "README: the build block builds and installs altimer, from a copy of the source (sudo left out, DESTDIR added)" {
	for pattern in "$EX_BUILD_AUTORECONF" "$EX_BUILD_CONFIGURE" "$EX_BUILD_MAKE" "$EX_BUILD_INSTALL"; do
		examples "$pattern" >/dev/null
	done
	# The block, in the README's order.
	block=$(awk '/^```/ { if (inside && keep) { printf "%s", lines; exit }
			inside = !inside; lines = ""; keep = 0; next }
		inside { lines = lines $0 "\n"; if ($0 == "./configure") keep = 1 }' "$README")
	[ "$(wc -l <<<"$block")" -eq 4 ]
	# As root the test needs no sudo, and the install goes to a DESTDIR,
	# not this machine's /usr/local: the line is otherwise as written.
	# shellcheck disable=SC2016 # $ROOT is for the script's shell
	script=${block/$'\n'sudo make install/$'\n''make install DESTDIR="$ROOT"'}
	[ "$(grep -c 'DESTDIR' <<<"$script")" -eq 1 ]
	src=$TMP/src
	mkdir "$src"
	(cd "$ALTIMER_SRCDIR" && tar --exclude=.git --exclude='*.o' --exclude=autom4te.cache -cf - .) |
		tar -C "$src" -xf -
	chmod -R u+w "$src"
	(cd "$src" && [ ! -f Makefile ] || make distclean >/dev/null 2>&1 || true)
	cd "$src"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ROOT="$TMP/root" bash -e -c "$script"
	[ "$status" -eq 0 ]
	run "$TMP/root/usr/local/bin/altimer" 5 true
	[ "$status" -eq 0 ]
	[ -f "$TMP/root/usr/local/share/man/man1/altimer.1" ]
}

@test "README: scripts/setup and scripts/test are there, executable, and parse (not run: one reinstalls and builds in place, the other runs this suite)" {
	for pattern in "$EX_SETUP" "$EX_TEST"; do
		script=$(examples "$pattern")
		[ -x "$ALTIMER_SRCDIR/$script" ]
		bash -n "$ALTIMER_SRCDIR/$script"
	done
}

@test "example: altimer 5 ls -l lists the directory" {
	touch "$WORK/a-file"
	while IFS= read -r example; do
		run_example "$example"
		[ "$status" -eq 0 ]
		[[ "$output" =~ -rw.*\ a-file ]]
	done < <(examples "$EX_LS")
}

@test "example: -k 10s 1m make builds" {
	makefile 'all:' '	@echo built by make'
	while IFS= read -r example; do
		run_example "$example"
		[ "$status" -eq 0 ]
		[ "$output" = "built by make" ]
	done < <(examples "$EX_KILL_AFTER")
}

@test "example: -s INT 1h30m ./job runs the job, and (1h30m scaled to 0.5) interrupts it with INT" {
	while IFS= read -r example; do
		executable job 'echo job done'
		run_example "$example"
		[ "$status" -eq 0 ]
		[ "$output" = "job done" ]
		executable job "trap 'echo interrupted; exit 130' INT; echo started; while :; do sleep 0.1; done"
		run_example "$(scaled "$example" 1h30m 0.5)"
		[ "$status" -eq 124 ]
		[ "$output" = "started
interrupted" ]
	done < <(examples "$EX_INT")
}

@test "example: --preserve-status (10 scaled to 0.5) exits with the server's own status" {
	executable server "trap 'exit 3' TERM; while :; do sleep 0.1; done"
	example=$(examples "$EX_PRESERVE")
	run_example "$(scaled "$example" 10 0.5)"
	[ "$status" -eq 3 ]
}

@test "example: --keepalive 10m 2h make check passes a check through, and (10m scaled to 0.5) ends a silent one" {
	makefile 'check:' '	@echo checked' '	@sleep $(SILENCE)'
	example=$(examples "$EX_KEEPALIVE")
	SILENCE=0 run_example "$example"
	[ "$status" -eq 0 ]
	[ "$output" = checked ]
	SILENCE=100 run_example "$(scaled "$example" 10m 0.5)"
	[ "$status" -eq 124 ]
	[ "$output" = checked ]
	none_left
}

@test "example: --notify -i 30s 1d ./service: systemd-notify's heartbeats keep it alive, and (30s scaled to 1) their end times it out" {
	command -v systemd-notify >/dev/null || skip "systemd-notify is not installed"
	example=$(examples "$EX_NOTIFY")
	executable service 'systemd-notify --ready || exit 9; systemd-notify WATCHDOG=1 || exit 9; echo served'
	run_example "$example"
	[ "$status" -eq 0 ]
	[ "$output" = served ]
	# Heartbeats for 3 s or more, three times the keepalive, then silence.
	executable service 'for i in $(seq 30); do systemd-notify WATCHDOG=1 || exit 9; sleep 0.1; done
echo heartbeats stopped; exec sleep 100'
	run_example "$(scaled "$example" 30s 1)"
	[ "$status" -eq 124 ]
	[ "$output" = "heartbeats stopped" ]
}

@test "example: 250ms curl -s http://localhost/health times out a hung request (curl a stand-in: no server here)" {
	# A stand-in curl records its arguments and hangs, as curl does on a
	# server that accepts and never answers.
	stand_in curl 'printf "%s\n" "$@" >"$0.argv"; exec sleep 100'
	run_example "$(examples "$EX_CURL")"
	[ "$status" -eq 124 ]
	[ "$(cat "$TMP/bin/curl.argv")" = "-s
http://localhost/health" ]
	none_left
}

@test "example: 0.5 sh -c 'setsid sleep 100 & wait': the escaped sleep is timed out too" {
	while IFS= read -r example; do
		run_example "$example"
		[ "$status" -eq 124 ]
		grep -q -x -F "altimer: sending signal TERM to command 'sh'" <<<"$stderr"
		none_left
	done < <(examples "$EX_SETSID")
}

@test "example: --ladder=INT,30s,TERM,10s,KILL 2h make check passes, and (2h scaled to 0.5) interrupts make with INT" {
	makefile 'check:' '	@echo checked' '	@sleep $(SILENCE)'
	while IFS= read -r example; do
		SILENCE=0 run_example "$example"
		[ "$status" -eq 0 ]
		[ "$output" = checked ]
		SILENCE=100 run_example "$(scaled "$example" 2h 0.5)"
		[ "$status" -eq 124 ]
		# make's own words for its end by INT: "Interrupt", or, when the
		# group's CONT comes while its handler waits (seen once in a
		# slow sanitizer build), "wait: No child processes.  Stop.".
		[[ "$stderr" == *Interrupt* || "$stderr" == *"Stop."* ]]
		none_left
	done < <(examples "$EX_LADDER")
}

@test "example: --every=10s,USR1 1h dd (10s scaled to 0.2s, 1h to 1.5): dd prints its progress" {
	example=$(examples "$EX_EVERY")
	example=$(scaled "$example" --every=10s,USR1 --every=0.2s,USR1)
	run_example "$(scaled "$example" 1h 1.5)"
	[ "$status" -eq 124 ]
	[ "$(grep -c 'bytes .* copied' <<<"$stderr")" -ge 1 ]
}

@test "example: --report=run.json 30m ./deploy.sh; jq ... run.json: a report by a bare relative name, read back" {
	executable deploy.sh 'echo deployed'
	while IFS= read -r example; do
		rm -f "$WORK/run.json"
		run_example "$example"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = deployed ]
		[ "${lines[1]}" = '"exited"' ]
		[[ "${lines[2]}" =~ ^0\.[0-9]+$ ]]
		[ "${#lines[@]}" -eq 3 ]
		[ -z "$stderr" ]
	done < <(examples "$EX_REPORT")
}

@test "example: --on-timeout='gdb -p \"\$ALTIMER_PID\" ...' (10m scaled to 1): every thread's backtrace, gdb taking its arguments as meant" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	[ "$(id -u)" -eq 0 ] || [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 0 ] ||
		skip "gdb may not attach here"
	executable server 'exec sleep 100'
	run_example "$(scaled "$(examples "$EX_GDB")" 10m 1)"
	[ "$status" -eq 124 ]
	[[ "$stderr" != *"Excess command line arguments"* ]]
	grep -q -E '^Thread 1 ' <<<"$stderr"
	grep -q -E '^#0 ' <<<"$stderr"
	none_left
}

@test "example: --on-timeout='for p in \$ALTIMER_PIDS; do gdb ...' (1h scaled to 1): a backtrace of each process of the tree" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	[ "$(id -u)" -eq 0 ] || [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 0 ] ||
		skip "gdb may not attach here"
	makefile 'check:' '	sleep 100; true'
	run_example "$(scaled "$(examples "$EX_GDB_TREE")" 1h 1)"
	[ "$status" -eq 124 ]
	# make, its shell and sleep: one backtrace each.
	[ "$(grep -c -E '^#0 ' <<<"$stderr")" -ge 3 ]
	none_left
}

@test "example: --on-timeout='py-spy dump --pid \"\$ALTIMER_PID\"' (30m scaled to 1; py-spy a stand-in) gets the Python process's pid" {
	# py-spy is not in Debian: a stand-in records its arguments, and the
	# command line of the process the pid names.
	stand_in py-spy 'printf "%s\n" "$@" >"$0.argv"; tr "\0" " " <"/proc/$3/cmdline" >"$0.target"'
	printf 'import time\ntime.sleep(100)\n' >"$WORK/job.py"
	run_example "$(scaled "$(examples "$EX_PYSPY")" 30m 1)"
	[ "$status" -eq 124 ]
	mapfile -t argv <"$TMP/bin/py-spy.argv"
	[ "${#argv[@]}" -eq 3 ]
	[ "${argv[0]}" = dump ]
	[ "${argv[1]}" = --pid ]
	[[ "${argv[2]}" =~ ^[0-9]+$ ]]
	[[ "$(cat "$TMP/bin/py-spy.target")" == *python3*" job.py " ]]
}

@test "example: --on-timeout='jstack \"\$ALTIMER_PID\"' 30m java -jar app.jar (30m scaled to 8): every Java thread's stack" {
	if command -v javac >/dev/null && command -v jar >/dev/null && command -v jstack >/dev/null &&
		command -v java >/dev/null; then
		# The real JDK: an app.jar whose main thread sleeps.
		mkdir "$TMP/classes"
		printf 'public class Main { public static void main(String[] a) throws Exception { Thread.sleep(100000); } }\n' \
			>"$TMP/classes/Main.java"
		javac -d "$TMP/classes" "$TMP/classes/Main.java"
		jar --create --file "$WORK/app.jar" --main-class Main -C "$TMP/classes" Main.class
		run_example "$(scaled "$(examples "$EX_JSTACK")" 30m 8)"
		[ "$status" -eq 124 ]
		[[ "$output$stderr" == *"Full thread dump"* ]]
		[[ "$output$stderr" == *"java.lang.Thread.sleep"* ]]
	else
		# No JDK: stand-ins record what java and jstack were given.
		stand_in java 'printf "%s\n" "$@" >"$0.argv"; exec sleep 100'
		stand_in jstack 'printf "%s\n" "$@" >"$0.argv"; cat "/proc/$1/comm" >"$0.target"'
		: >"$WORK/app.jar"
		run_example "$(scaled "$(examples "$EX_JSTACK")" 30m 1)"
		[ "$status" -eq 124 ]
		[ "$(cat "$TMP/bin/java.argv")" = "-jar
app.jar" ]
		[[ "$(cat "$TMP/bin/jstack.argv")" =~ ^[0-9]+$ ]]
		[ "$(cat "$TMP/bin/jstack.target")" = sleep ]
	fi
	none_left
}

@test "example: --on-timeout='kill -QUIT \"\$ALTIMER_PID\"; sleep 2' (10m scaled to 0.5; the Go server a stand-in) gets the goroutine dump" {
	# No Go toolchain in Debian's base: a stand-in does what a Go program
	# does at QUIT: prints its goroutines' stacks on stderr and exits 2.
	executable go-server "trap 'echo \"goroutine 1 [running]:\" >&2; exit 2' QUIT
echo serving; while :; do sleep 0.1; done"
	run_example "$(scaled "$(examples "$EX_QUIT")" 10m 0.5)"
	[ "$status" -eq 124 ]
	[ "$output" = serving ]
	grep -q -x -F "goroutine 1 [running]:" <<<"$stderr"
	none_left
}

@test "example: 1h vim notes.txt (1h scaled to 2, at a terminal of script(1)): the terminal's modes are given back" {
	command -v vim >/dev/null || skip "vim is not installed"
	command -v script >/dev/null || skip "script is not installed"
	example=$(scaled "$(examples "$EX_VIM")" 1h 2)
	# script's input held open, never at its end: an end of input would
	# reach vim as Ctrl-D.
	mkfifo "$TMP/input"
	exec {hold}<>"$TMP/input"
	run_example "script -q -e -c 'HOME=$TMP TERM=xterm $example; echo rc=\$?; stty -a' /dev/null" <"$TMP/input"
	exec {hold}>&-
	[[ "$output" == *rc=124* ]]
	[[ "$output" =~ [[:space:]]isig\ icanon\ iexten\ echo[[:space:]] ]]
	none_left
}

@test "example: --heartbeat=5m -i 30m 2h make check (5m scaled to 0.3, 30m to 1.5): lines only in the silence, then the keepalive" {
	makefile 'check:' '	@echo checked' '	@sleep $(SILENCE)'
	example=$(examples "$EX_HEARTBEAT")
	# --heartbeat=5m as --heartbeat 5m, for scaled's whole words.
	[[ $example == 'altimer --heartbeat=5m '* ]]
	example=$(scaled "altimer --heartbeat ${example#altimer --heartbeat=}" 5m 0.3)
	example=$(scaled "$example" 30m 1.5)
	SILENCE=0 run_example "$example"
	[ "$status" -eq 0 ]
	[ "$output" = checked ]
	[ -z "$stderr" ]
	SILENCE=100 run_example "$example"
	[ "$status" -eq 124 ]
	[ "$output" = checked ]
	count=$(grep -c '^altimer: heartbeat: running .* since output$' <<<"$stderr")
	[ "$count" -ge 1 ]
	[ "$count" -le 5 ]
	none_left
}

@test "example: --retry=2 --retry-delay=10s,x2 --budget=1h 15m ./flaky-test (15m scaled to 0.5, 10s to 0.1): a hung first attempt, a passing second" {
	example=$(examples "$EX_RETRY")
	[[ $example == *' --retry-delay=10s,x2 '* ]]
	example=$(scaled "${example/ --retry-delay=10s,x2 / --retry-delay=0.1,x2 }" 15m 0.5)
	executable flaky-test 'echo "attempt $ALTIMER_ATTEMPT"; [ "$ALTIMER_ATTEMPT" -ge 2 ] && exit 0; sleep 100'
	run_example "$example"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'attempt 1\nattempt 2')" ]
	none_left
	# Never passing: three attempts, and the status of a timeout.
	executable flaky-test 'echo "attempt $ALTIMER_ATTEMPT"; sleep 100'
	run_example "$example"
	[ "$status" -eq 124 ]
	[ "${#lines[@]}" -eq 3 ]
	none_left
}
