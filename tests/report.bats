#!/usr/bin/env bats
# --report=FILE: one JSON object on every way altimer ends, with the right
# values, parsed with jq.

load helpers/common

setup() {
	TMP=$(mktemp -d)
	R=$TMP/report.json
}

teardown() {
	show_on_failure "${R:-}"
	if [ -n "${SMALL:-}" ]; then umount "$SMALL" 2>/dev/null || true; fi
	rm -rf "$TMP"
}

needs_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# field EXPR: jq's compact answer for EXPR on the report.
field() {
	jq -c "$1" "$R"
}

@test "a bare relative name in the current directory, as the README says: created, then replaced" {
	cd "$TMP"
	run "$ALTIMER" --report=run.json 3 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason run.json)" = exited ]
	# Once it exists, replaced in place of the old one.
	run "$ALTIMER" --report=run.json 3 sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(jq -c .exit_code run.json)" = 3 ]
	# ./name and a name in a subdirectory, relative too.
	mkdir sub
	run "$ALTIMER" --report=./dot.json 3 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason dot.json)" = exited ]
	run "$ALTIMER" --report=sub/in.json 3 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason sub/in.json)" = exited ]
	[ "$(find . -name '.altimer-report-*' | wc -l)" -eq 0 ]
}

@test "a relative symlink in the current directory: its target is written, the link stays" {
	cd "$TMP"
	mkdir -p keep sub
	ln -s keep/target.json link.json
	run "$ALTIMER" --report=link.json 3 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason keep/target.json)" = exited ]
	[ "$(readlink link.json)" = keep/target.json ]
	# Now that the target exists, replaced through the link.
	run "$ALTIMER" --report=link.json 3 sh -c 'exit 4'
	[ "$status" -eq 4 ]
	[ "$(jq -c .exit_code keep/target.json)" = 4 ]
	[ "$(stat -c %F link.json)" = "symbolic link" ]
	# A bare link to a bare name, and a link in a subdirectory relative to it.
	ln -s plain.json bare.json
	run "$ALTIMER" --report=bare.json 3 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason plain.json)" = exited ]
	ln -s ../keep/deep.json sub/up.json
	run "$ALTIMER" --report=sub/up.json 3 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason keep/deep.json)" = exited ]
	[ ! -e sub/keep ]
}

@test "a command that exits: reason, exit code, elapsed, settings" {
	run "$ALTIMER" --report="$R" -k 3 10 sh -c 'sleep 0.3; exit 3'
	[ "$status" -eq 3 ]
	[ "$(field .version)" = 1 ]
	[ "$(field .command)" = '["sh","-c","sleep 0.3; exit 3"]' ]
	[ "$(field .reason)" = '"exited"' ]
	[ "$(field '[.exit_code, .signal, .core_dumped, .timed_out]')" = '[3,null,false,false]' ]
	[ "$(field '[.exit_status, .reraised, .error]')" = '[3,false,null]' ]
	[ "$(field '.elapsed >= 0.29 and .elapsed < 5')" = true ]
	[ "$(field '[.deadline, .keepalive, .every]')" = '[10,null,null]' ]
	[ "$(field .ladder)" = '[{"signal":"TERM","delay":0},{"signal":"KILL","delay":3}]' ]
	[ "$(field '[.signals, .signals_omitted]')" = '[[],0]' ]
	[ "$(field .timers)" = '{"deadline":0,"keepalive":0,"every":0,"ladder":[0]}' ]
	[ "$(field '.pid > 1')" = true ]
	[ "$(field .notify)" = '{"ready":false,"status":null}' ]
}

@test "the pid is the command's own" {
	run "$ALTIMER" --report="$R" 5 sh -c 'echo $$'
	[ "$(field .pid)" = "$output" ]
}

@test "a deadline: the signals sent, their target and time" {
	run "$ALTIMER" --report="$R" 0.3 sleep 10
	[ "$status" -eq 124 ]
	[ "$(field '[.reason, .timed_out, .signal, .exit_status]')" = '["deadline",true,"TERM",124]' ]
	[ "$(field '[.signals[] | [.signal, .number, .target, .cause]]')" = \
		'[["TERM",15,"group","deadline"],["CONT",18,"group","deadline"]]' ]
	[ "$(field '.signals[0].at >= 0.29 and .signals[0].at < 3')" = true ]
	[ "$(field '.signals[0].pid == .pid')" = true ]
	[ "$(field .timers.deadline)" = 1 ]
}

@test "the report's times count from the deadline's start, however slow the fork" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	# altimer's own clone returns 0.4 s late, as on a busy machine.  The
	# deadline ran all along: its TERM and the elapsed time still show at
	# least 0.5 s, not 0.5 less the fork's time.
	ASAN_OPTIONS=detect_leaks=0 run strace -qq -o /dev/null \
		-e trace=clone,clone3,fork,vfork -e inject=clone,clone3,fork,vfork:delay_exit=400000 \
		"$ALTIMER" --report="$R" 0.5 sleep 10
	[ "$status" -eq 124 ]
	[ "$(field '[.reason, .signals[0].signal]')" = '["deadline","TERM"]' ]
	[ "$(field '.signals[0].at >= 0.5 and .elapsed >= .signals[0].at')" = true ]
}

@test "a keepalive timeout says keepalive, and the keepalive setting" {
	run "$ALTIMER" --report="$R" --keepalive=0.3 10 sh -c 'echo one; sleep 5'
	[ "$status" -eq 124 ]
	[ "$(field '[.reason, .keepalive, .deadline, .timers.keepalive, .timers.deadline]')" = \
		'["keepalive",0.3,10,1,0]' ]
	[ "$(field '.signals[0].cause')" = '"keepalive"' ]
}

@test "WATCHDOG=trigger, READY=1 and the last STATUS= are reported" {
	command -v systemd-notify >/dev/null || skip "systemd-notify not installed"
	run "$ALTIMER" --report="$R" --notify 10 sh -c '
		systemd-notify --ready
		systemd-notify --status="first"
		systemd-notify --status="second, with \"quotes\""
		systemd-notify WATCHDOG=trigger
		sleep 5'
	[ "$status" -eq 124 ]
	[ "$(field '[.reason, .notify]')" = \
		'["trigger",{"ready":true,"status":"second, with \"quotes\""}]' ]
}

@test "a signal passed on from outside: reason signal, re-raised status" {
	"$ALTIMER" --report="$R" 30 sleep 30 &
	pid=$!
	# Its command started: altimer's signals are set up by then.
	wait_for "/proc/$pid/task/$pid/children" '[0-9]'
	kill -HUP "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 129 ]
	[ "$(field '[.reason, .signal, .exit_status, .reraised, .timed_out]')" = \
		'["signal","HUP",129,true,false]' ]
	[ "$(field '.signals[0] | [.signal, .cause]')" = '["HUP","forwarded"]' ]
}

@test "a passed-on signal the command handles and exits 0 from is 'exited'" {
	# shellcheck disable=SC2016 # for that shell
	"$ALTIMER" --report="$R" 30 bash -c 'trap "exit 0" USR1; echo ready >"$0"
		while :; do sleep 0.05; done' "$BATS_TEST_TMPDIR/ready" &
	pid=$!
	wait_for "$BATS_TEST_TMPDIR/ready" ready
	kill -USR1 "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	[ "$(field '[.reason, .exit_code]')" = '["exited",0]' ]
}

@test "a command that cannot be found or run: exec-failed, with the error" {
	run -127 "$ALTIMER" --report="$R" 5 /nonexistent/command
	[ "$status" -eq 127 ]
	[ "$(field '[.reason, .error, .exit_status]')" = \
		'["exec-failed","No such file or directory",127]' ]
	run "$ALTIMER" --report="$R" 5 /
	[ "$status" -eq 126 ]
	[ "$(field '[.reason, .error, .exit_status]')" = '["exec-failed","Permission denied",126]' ]
}

@test "a command that could not be executed has no pid, exit code, elapsed time or usage" {
	# The man page: pid is null if the command was never started; it never
	# ran, so it has no exit code of its own (altimer's is exit_status).
	run -127 "$ALTIMER" --report="$R" 5 /nonexistent/command
	[ "$(field '[.pid, .exit_code, .signal, .core_dumped, .elapsed, .usage]')" = \
		'[null,null,null,false,null,null]' ]
	[ "$(field '[.reason, .exit_status, .reraised, .timed_out]')" = '["exec-failed",127,false,false]' ]
	run -126 "$ALTIMER" --report="$R" 5 /
	[ "$(field '[.pid, .exit_code, .elapsed, .usage]')" = '[null,null,null,null]' ]
	[ "$(field '[.reason, .exit_status]')" = '["exec-failed",126]' ]
}

@test "altimer's own failure after the options are read: reason error, 125" {
	ASAN_OPTIONS=detect_leaks=0 run "$DENY" EAGAIN clone clone3 -- \
		"$ALTIMER" --report="$R" 5 true
	[ "$status" -eq 125 ]
	[ "$(field '[.reason, .pid, .exit_status, .elapsed, .usage]')" = '["error",null,125,null,null]' ]
	[[ "$(field .error)" == '"cannot start the command: '* ]]
}

@test "a bad option writes no report and says why" {
	run "$ALTIMER" --report="$R" --signal=NOPE 5 true
	[ "$status" -eq 125 ]
	[ ! -e "$R" ]
}

@test "arguments with quotes, backslashes, newlines, control bytes and invalid UTF-8" {
	run "$ALTIMER" --report="$R" 5 printf '%s' 'say "hi"' 'back\slash' $'two\nlines' \
		$'tab\there' $'\x01\x1f\x7f' 'héllo ✓ 😀' $'bad \xff\xfe end' $'\xc0\xaf' $'\xed\xa0\x80'
	[ "$status" -eq 0 ]
	run jq -r '.command[2:][]' "$R"
	expected=$(printf '%s\n' 'say "hi"' 'back\slash' $'two\nlines' $'tab\there' \
		$'\x01\x1f\x7f' 'héllo ✓ 😀' $'bad \xef\xbf\xbd\xef\xbf\xbd end' $'\xef\xbf\xbd\xef\xbf\xbd' $'\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd')
	[ "$output" = "$expected" ]
	# Valid UTF-8 throughout, no raw control characters.
	iconv -f UTF-8 -t UTF-8 "$R" >/dev/null
	run ! LC_ALL=C grep -q -P '[\x00-\x09\x0b-\x1f]' "$R"
}

@test "the child's CPU time and peak memory come from the kernel" {
	# About 60 MiB held, and some CPU burnt.
	run "$ALTIMER" --report="$R" 20 perl -e '$x = "a" x (60 * 1024 * 1024);
		my $t = times; while ((times)[0] < 0.4) {} print length($x), "\n"'
	[ "$status" -eq 0 ]
	[ "$(field '.usage.max_rss_kib >= 60000')" = true ]
	[ "$(field '.usage.user_cpu >= 0.35 and .usage.user_cpu < 10')" = true ]
	[ "$(field '.usage.system_cpu >= 0')" = true ]
}

@test "tree members and leftovers are listed with how many were reached" {
	# Two processes leave the group; the deadline comes once both have.
	run "$ALTIMER" --report="$R" 3 sh -c '
		setsid sh -c "echo \$\$ >> \"\$1\"; exec sleep 30" sh "$1" &
		setsid sh -c "echo \$\$ >> \"\$1\"; exec sleep 30" sh "$1" &
		while [ "$(wc -l < "$1" 2>/dev/null)" != 2 ]; do sleep 0.05; done
		sleep 30' sh "$TMP/left"
	[ "$status" -eq 124 ]
	[ "$(field '[.signals[] | select(.target == "tree") | [.signal, .processes, .cause]][0]')" = \
		'["TERM",2,"deadline"]' ]
	run "$ALTIMER" --report="$R" --no-leftovers 5 sh -c 'setsid sleep 30 & exit 0'
	[ "$status" -eq 0 ]
	# The first round of the clean-up reaches it (a later round may KILL
	# it again while it is still dying).
	[ "$(field '[.signals[] | select(.target == "leftovers") | [.signal, .processes, .cause]][0]')" = \
		'["KILL",1,"clean-up"]' ]
}

@test "--report=- writes the object to standard error" {
	run --separate-stderr "$ALTIMER" --report=- 5 echo out
	[ "$status" -eq 0 ]
	[ "$output" = out ]
	[ "$(jq -r .reason <<<"$stderr")" = exited ]
}

@test "the report replaces the file atomically and leaves no temporary file" {
	echo old > "$R"
	# A reader polling the file never sees anything but the old text or a
	# whole report.
	(
		for _ in $(seq 200); do
			c=$(cat "$R")
			[ "$c" = old ] || jq -e .version >/dev/null <<<"$c" || { echo "torn: $c"; exit 1; }
		done
	) &
	reader=$!
	for _ in 1 2 3 4 5; do "$ALTIMER" --report="$R" 5 true; done
	wait "$reader"
	[ "$(field .reason)" = '"exited"' ]
	run ls -A "$TMP"
	[ "$output" = report.json ]
}

@test "the report file gets the usual permissions, not mkstemp's 0600" {
	(umask 022 && "$ALTIMER" --report="$R" 5 true)
	[ "$(stat -c %a "$R")" = 644 ]
}

@test "a report path altimer cannot write is refused before the command runs" {
	run --separate-stderr "$ALTIMER" --report=/nonexistent/dir/r.json 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ ! -e "$TMP/ran" ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '/nonexistent/dir/r.json': No such file or directory" ]
	run --separate-stderr "$ALTIMER" --report="$TMP" 5 true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"Is a directory" ]]
	run --separate-stderr "$ALTIMER" --report= 5 true
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: invalid --report '': name a file, or - for standard error" ]
}

@test "a file of /proc or /sys, where no report can be put in place, is refused before the command runs" {
	# /proc/version is a regular file that root may open for writing, but
	# no file can be created next to it to rename into place, and a write
	# into it fails: refused up front, not after the run.
	run --separate-stderr "$ALTIMER" --report=/proc/version 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ ! -e "$TMP/ran" ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '/proc/version': Operation not supported" ]
	[ -z "$output" ]
	# A new name there: the same words as the shell's > would use.
	run --separate-stderr "$ALTIMER" --report=/proc/altimer-report.json 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ ! -e "$TMP/ran" ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '/proc/altimer-report.json': No such file or directory" ]
	# Through a link of one's own, the same.
	ln -s /proc/version "$TMP/version"
	run --separate-stderr "$ALTIMER" --report="$TMP/version" 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ ! -e "$TMP/ran" ]
	[[ "$stderr" == *": Operation not supported" ]]
	# A read-only sysfs attribute, which root too cannot open for writing.
	run --separate-stderr "$ALTIMER" --report=/sys/kernel/uevent_seqnum 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ ! -e "$TMP/ran" ]
	# Nothing left behind by the check, and an ordinary file still works.
	[ "$(find "$TMP" -name '.altimer-report-*' | wc -l)" -eq 0 ]
	run "$ALTIMER" --report="$R" 5 true
	[ "$status" -eq 0 ]
	[ "$(find "$TMP" -name '.altimer-report-*' | wc -l)" -eq 0 ]
}

@test "--preserve-status after a timeout: the report shows 143, not a re-raise" {
	run "$ALTIMER" --report="$R" -p 0.2 sleep 10
	[ "$status" -eq 143 ]
	[ "$(field '[.reason, .signal, .exit_status, .reraised]')" = '["deadline","TERM",143,false]' ]
}

@test "-s KILL: the report is written before altimer dies of KILL" {
	run raw_status "$ALTIMER" --report="$R" -s KILL 0.2 sleep 10
	[ "$output" = "signal 9" ]
	[ "$(field '[.reason, .signal, .exit_status, .reraised]')" = '["deadline","KILL",137,true]' ]
}

@test "the descriptor kept for the report does not reach the command" {
	direct=$("$PROBE" fds)
	run --separate-stderr "$ALTIMER" --report="$R" 5 "$PROBE" fds
	[ "$status" -eq 0 ]
	[ "$output" = "$direct" ]
}

@test "a device, /dev/stdout and /dev/stderr are written into, never replaced (private /dev)" {
	needs_root
	command -v unshare >/dev/null || skip "unshare is not installed"
	# A /dev of its own, so a regression cannot break the machine's.
	run --separate-stderr unshare -m sh -c '
		mount -t tmpfs tmpfs /dev || exit 99
		mknod -m 666 /dev/null c 1 3 && ln -s /proc/self/fd /dev/fd &&
		ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd/2 /dev/stderr || exit 98
		"$1" --report=/dev/null 5 true || exit 1
		"$1" --report=/dev/stdout 5 echo out > "$2/out" || exit 2
		"$1" --report=/dev/stderr 5 true 2> "$2/err" || exit 3
		echo "$(stat -c %F /dev/null) $(stat -c %F /dev/stdout) $(stat -c %F /dev/stderr)"
		echo after > /dev/null; stat -c %s /dev/null' sh "$ALTIMER" "$TMP"
	[ "$status" -ne 99 ] || skip "cannot mount a private /dev"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file symbolic link symbolic link" ]
	[ "${lines[1]}" = 0 ]
	# What the command wrote, then the report after it.
	[ "$(head -1 "$TMP/out")" = out ]
	[ "$(tail -n +2 "$TMP/out" | jq -r .reason)" = exited ]
	[ "$(jq -r .reason "$TMP/err")" = exited ]
}

@test "a device named through a link of one's own stays a device" {
	needs_root
	mknod -m 666 "$TMP/null" c 1 3
	ln -s null "$TMP/link"
	run "$ALTIMER" --report="$TMP/null" 5 true
	[ "$status" -eq 0 ]
	run "$ALTIMER" --report="$TMP/link" 5 true
	[ "$status" -eq 0 ]
	[ "$(stat -c %F "$TMP/null")" = "character special file" ]
	[ "$(stat -c %F "$TMP/link")" = "symbolic link" ]
	[ "$(ls -A "$TMP")" = "$(printf 'link\nnull')" ]
}

@test "descriptor names write to the descriptor: /dev/fd/N, a link to /proc/self/fd/1, >(...)" {
	ln -s /proc/self/fd/1 "$TMP/stdout"
	run --separate-stderr "$ALTIMER" --report="$TMP/stdout" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason <<<"$output")" = exited ]
	[ "$(stat -c %F "$TMP/stdout")" = "symbolic link" ]
	run --separate-stderr bash -c '"$1" --report=/dev/fd/7 5 true 7>&1' sh "$ALTIMER"
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason <<<"$output")" = exited ]
	run --separate-stderr bash -c '"$1" --report=>(jq -r .reason > "$2/sub") 5 true; wait $!' \
		sh "$ALTIMER" "$TMP"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/sub")" = exited ]
	# A closed one too (altimer holds it with /dev/null meanwhile).
	run --separate-stderr bash -c '"$1" --report=/dev/stdout 5 touch "$2" >&-' sh "$ALTIMER" "$TMP/ran"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '/dev/stdout': Bad file descriptor" ]
	[ ! -e "$TMP/ran" ]
	# A descriptor open only for reading is refused before the command.
	run --separate-stderr "$ALTIMER" --report=/dev/fd/7 5 touch "$TMP/ran" 7</dev/null
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '/dev/fd/7': Bad file descriptor" ]
	[ ! -e "$TMP/ran" ]
}

@test "a FIFO is written into, its reader waited for, and given up on after 10 s" {
	mkfifo "$TMP/fifo"
	# Bounded: a FIFO replaced by a file would leave the reader waiting.
	"$GNU_TIMEOUT" 20 sh -c 'jq -r .reason < "$1" > "$2"' sh "$TMP/fifo" "$TMP/read" &
	reader=$!
	run "$ALTIMER" --report="$TMP/fifo" 5 true
	[ "$status" -eq 0 ]
	wait "$reader" || true
	[ "$(cat "$TMP/read")" = exited ]
	[ "$(stat -c %F "$TMP/fifo")" = fifo ]
	# A reader that comes only after the command has ended.
	"$ALTIMER" --report="$TMP/fifo" 5 true &
	writer=$!
	sleep 1
	"$GNU_TIMEOUT" 20 jq -r .exit_code < "$TMP/fifo" > "$TMP/read"
	wait "$writer"
	[ "$(cat "$TMP/read")" = 0 ]
	# Nobody: altimer does not hang, it says so.
	elapsed_ms "$ALTIMER" --report="$TMP/fifo" 5 true 2>"$TMP/err"
	[ "$status" -eq 125 ]
	[ "$elapsed" -ge 9000 ]
	[ "$elapsed" -lt 30000 ]
	[ "$(cat "$TMP/err")" = "$ALTIMER_NAME: cannot write the report to '$TMP/fifo': No such device or address" ]
	[ "$(stat -c %F "$TMP/fifo")" = fifo ]
}

@test "a symlink is followed: its target is replaced, the link stays" {
	echo old > "$TMP/target"
	mkdir "$TMP/d"
	ln -s ../target "$TMP/d/relative"
	ln -s "$TMP/d/relative" "$TMP/chain"
	run "$ALTIMER" --report="$TMP/chain" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$TMP/target")" = exited ]
	[ "$(stat -c %F "$TMP/chain")" = "symbolic link" ]
	[ "$(stat -c %F "$TMP/d/relative")" = "symbolic link" ]
	[ "$(readlink "$TMP/d/relative")" = ../target ]
	# A link to a file not there yet creates it, as > would.
	ln -s new.json "$TMP/d/dangling"
	run "$ALTIMER" --report="$TMP/d/dangling" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$TMP/d/new.json")" = exited ]
	[ "$(stat -c %F "$TMP/d/dangling")" = "symbolic link" ]
	# No temporary file left anywhere.
	[ "$(find "$TMP" -name '.altimer-report-*' | wc -l)" -eq 0 ]
	# A loop of links is refused before the command.
	ln -s loop2 "$TMP/loop1"
	ln -s loop1 "$TMP/loop2"
	run --separate-stderr "$ALTIMER" --report="$TMP/loop1" 5 true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"Too many levels of symbolic links" ]]
}

@test "a 0600 report stays 0600, with the new report in it" {
	echo old > "$R"
	chmod 600 "$R"
	(umask 022 && "$ALTIMER" --report="$R" 5 true)
	[ "$(stat -c %a "$R")" = 600 ]
	[ "$(field .reason)" = '"exited"' ]
}

@test "a report another user owns keeps its owner, group and mode (root)" {
	needs_root
	echo old > "$R"
	chown 65534:65534 "$R"
	chmod 640 "$R"
	run "$ALTIMER" --report="$R" 5 true
	[ "$status" -eq 0 ]
	[ "$(stat -c '%u %g %a' "$R")" = "65534 65534 640" ]
	[ "$(field .reason)" = '"exited"' ]
}

@test "a report file with a second name is written in place, both names see it" {
	echo old > "$R"
	ln "$R" "$TMP/other"
	run "$ALTIMER" --report="$R" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$TMP/other")" = exited ]
	[ "$(stat -c %h "$R")" = 2 ]
}

@test "a name ending in / or a missing directory is refused before the command" {
	run --separate-stderr "$ALTIMER" --report="$TMP/nodir/" 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/nodir/': Is a directory" ]
	run --separate-stderr "$ALTIMER" --report="$TMP/nodir/r.json" 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/nodir/r.json': No such file or directory" ]
	echo file > "$TMP/file"
	run --separate-stderr "$ALTIMER" --report="$TMP/file/r.json" 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/file/r.json': Not a directory" ]
	[ ! -e "$TMP/ran" ]
	[ ! -e "$TMP/nodir" ]
}

@test "a directory that vanishes: said on stderr, 0 becomes 125, other statuses stay" {
	mkdir "$TMP/gone"
	run --separate-stderr "$ALTIMER" --report="$TMP/gone/r.json" 5 rmdir "$TMP/gone"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/gone/r.json': No such file or directory" ]
	mkdir "$TMP/gone"
	run --separate-stderr "$ALTIMER" --report="$TMP/gone/r.json" 5 sh -c 'rmdir "$1"; exit 3' sh "$TMP/gone"
	[ "$status" -eq 3 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/gone/r.json': No such file or directory" ]
	mkdir "$TMP/gone"
	# The deadline once the directory is gone, not at 0.3 s, which a busy
	# machine could reach before sh ran rmdir: an outside ALRM is the
	# deadline.
	# shellcheck disable=SC2016 # expanded by sh
	run --separate-stderr "$ALTIMER" --report="$TMP/gone/r.json" 60 \
		sh -c 'rmdir "$1" && kill -ALRM "$PPID"; sleep 10' sh "$TMP/gone"
	[ "$status" -eq 124 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/gone/r.json': No such file or directory" ]
}

@test "a full filesystem: the old report stays whole, 0 becomes 125, a timeout stays 124" {
	needs_root
	SMALL=$TMP/small
	mkdir "$SMALL"
	mount -t tmpfs -o size=64k tmpfs "$SMALL" 2>/dev/null || { SMALL=; skip "cannot mount a tmpfs"; }
	echo old > "$SMALL/r.json"
	head -c 1000000 /dev/zero > "$SMALL/fill" 2>/dev/null || true
	run --separate-stderr "$ALTIMER" --report="$SMALL/r.json" 5 true
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$SMALL/r.json': No space left on device" ]
	[ "$(cat "$SMALL/r.json")" = old ]
	run --separate-stderr "$ALTIMER" --report="$SMALL/r.json" 0.2 sleep 10
	[ "$status" -eq 124 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$SMALL/r.json': No space left on device" ]
	[ "$(cat "$SMALL/r.json")" = old ]
	[ "$(ls -A "$SMALL")" = "$(printf 'fill\nr.json')" ]
	# With room again, the report is written.
	rm "$SMALL/fill"
	run "$ALTIMER" --report="$SMALL/r.json" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$SMALL/r.json")" = exited ]
}

@test "the signals list stops at exactly 10000, the rest counted in signals_omitted" {
	# WINCH, ignored by default, so no note can end the command before
	# its handler is set; it ends once it got 10100 (notes pending at once
	# are delivered as one, so at least as many were sent).
	run "$ALTIMER" --report="$R" --every=0.1ms,WINCH 60 perl -e '
		my $n = 0; $SIG{WINCH} = sub { $n++ };
		select(undef, undef, undef, 0.01) while $n < 10100;'
	[ "$status" -eq 0 ]
	[ "$(field '.signals | length')" = 10000 ]
	[ "$(field '.notes_sent > 10100')" = true ]
	[ "$(field '.signals_omitted == .notes_sent - 10000')" = true ]
	[ "$(field '[.signals[] | .cause] | unique')" = '["every"]' ]
}

@test "not root: a report it may not replace nor write is refused up front, one it may write keeps its owner" {
	needs_root
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	chmod 755 "$TMP"
	mkdir -m 1777 "$TMP/shared"
	echo old > "$TMP/shared/theirs"
	chmod 644 "$TMP/shared/theirs"
	echo old > "$TMP/shared/writable"
	chmod 666 "$TMP/shared/writable"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	run --separate-stderr as_nobody "$ALTIMER" --report="$TMP/shared/theirs" 5 touch "$TMP/shared/ran"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/shared/theirs': Permission denied" ]
	[ ! -e "$TMP/shared/ran" ]
	[ "$(cat "$TMP/shared/theirs")" = old ]
	# Root's file in a sticky directory cannot be renamed over: written
	# in place, still root's.
	run as_nobody "$ALTIMER" --report="$TMP/shared/writable" 5 true
	[ "$status" -eq 0 ]
	[ "$(stat -c '%u %a' "$TMP/shared/writable")" = "0 666" ]
	[ "$(jq -r .reason "$TMP/shared/writable")" = exited ]
	[ "$(ls -A "$TMP/shared")" = "$(printf 'theirs\nwritable')" ]
}

@test "a FIFO reader that stops reading is given up on after 10 s" {
	mkfifo "$TMP/fifo"
	# It opens the FIFO but never reads: a 10000-signal report (over a
	# megabyte) cannot fit in the pipe.
	"$GNU_TIMEOUT" 60 sleep 40 < "$TMP/fifo" &
	reader=$!
	elapsed_ms "$ALTIMER" --report="$TMP/fifo" --every=0.1ms,WINCH 60 perl -e '
		my $n = 0; $SIG{WINCH} = sub { $n++ };
		select(undef, undef, undef, 0.01) while $n < 10100;' 2>"$TMP/err"
	kill "$reader" 2>/dev/null || true
	[ "$status" -eq 125 ]
	[ "$elapsed" -ge 10000 ]
	[ "$elapsed" -lt 40000 ]
	[ "$(cat "$TMP/err")" = "$ALTIMER_NAME: cannot write the report to '$TMP/fifo': Connection timed out" ]
}

@test "a link someone else planted in a sticky world-writable directory is not followed" {
	needs_root
	chmod 755 "$TMP"
	mkdir -m 1777 "$TMP/shared"
	echo secret > "$TMP/victim"
	ln -s "$TMP/victim" "$TMP/shared/r.json"
	chown -h 65534:65534 "$TMP/shared/r.json"
	run --separate-stderr "$ALTIMER" --report="$TMP/shared/r.json" 5 touch "$TMP/ran"
	[ "$status" -eq 125 ]
	[ "$stderr" = "$ALTIMER_NAME: cannot write the report to '$TMP/shared/r.json': Permission denied" ]
	[ ! -e "$TMP/ran" ]
	[ "$(cat "$TMP/victim")" = secret ]
	# One's own link there is followed.
	chown -h 0:0 "$TMP/shared/r.json"
	run "$ALTIMER" --report="$TMP/shared/r.json" 5 true
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$TMP/victim")" = exited ]
}

@test "the report names the clock, and why the relay stopped passing a stream on" {
	run "$ALTIMER" --report="$R" --clock=boot 5 true
	[ "$(field '[.clock, .output_errors.stdout, .output_errors.stderr]')" = '["boot",null,null]' ]
	# The reader goes away: the relay closes the command's pipe and says why.
	run bash -c '"$0" --report="$1" -i 5 10 sh -c "echo a; sleep 0.5; echo b; sleep 0.5; echo c" | head -c1 >/dev/null' \
		"$ALTIMER" "$R"
	[ "$(field '[.clock, .output_errors.stdout]')" = '["awake","Broken pipe"]' ]
}
