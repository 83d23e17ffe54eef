# common.bash - shared by every tests/*.bats file (load "helpers/common").
#
# make check exports ALTIMER, PROBE and PARSE; running bats by hand from the
# source tree works too.

ALTIMER=${ALTIMER:-$BATS_TEST_DIRNAME/../src/altimer}
PROBE=${PROBE:-$BATS_TEST_DIRNAME/helpers/probe}
PARSE=${PARSE:-$BATS_TEST_DIRNAME/helpers/parse}
DENY=${DENY:-$BATS_TEST_DIRNAME/helpers/deny}
ALTIMER_SRCDIR=${ALTIMER_SRCDIR:-$BATS_TEST_DIRNAME/..}
GNU_TIMEOUT=${GNU_TIMEOUT:-/usr/bin/timeout}
# altimer, like GNU timeout, starts its lines with argv[0] as invoked (in
# the seccomp runs, the real binary the sandbox executes) and quotes names
# as the locale says: the tests expect C's 'name'.
# shellcheck disable=SC2034 # read by the test files
if [ -n "${DENY_WRAP:-}" ]; then
	ALTIMER_NAME=${DENY_WRAP##* }
else
	ALTIMER_NAME=$ALTIMER
fi
export LC_ALL=C
# A HOME of each test's own (of the file's own in setup_file): popt reads
# ~/.popt for aliases, and the machine's must play no part in what altimer
# does under test.  A test that needs a HOME with something in it sets its
# own after this.
if [ -n "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-}}" ]; then
	HOME=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/home
	mkdir -p "$HOME"
	export HOME
fi

bats_require_minimum_version 1.5.0

# Which path the signal tests are exercising, for test names and skips.
altimer_path() {
	local contain=${ALTIMER_TEST_CONTAIN:+, contain=$ALTIMER_TEST_CONTAIN}
	if [ -n "${ALTIMER_SECCOMP:-}" ]; then
		echo "seccomp $ALTIMER_SECCOMP$contain"
	elif [ -n "${ALTIMER_NO_PIDFD:-}" ]; then
		echo "fallback$contain"
	else
		echo "pidfd$contain"
	fi
}

# The --contain option a test file run per mode passes (ALTIMER_TEST_CONTAIN:
# cgroup, tree, group or auto), as an array: "${CONTAIN[@]}" is empty when
# none was asked for.
# shellcheck disable=SC2034 # read by the test files
if [ -n "${ALTIMER_TEST_CONTAIN:-}" ]; then
	CONTAIN=("--contain=$ALTIMER_TEST_CONTAIN")
else
	CONTAIN=()
fi

# Whether altimer can make the command its own cgroup here (root, or a
# delegated subtree); prints why not.
cgroup_possible() {
	"$ALTIMER" --contain=cgroup 5 true 2>&1
}

# wait_for FILE PATTERN [SECONDS]: wait until FILE contains PATTERN.  The
# waits here give up after 30 s by default: a bound for a test that fails,
# which a busy machine must not reach.
wait_for() {
	local file=$1 pattern=$2 deadline=$((SECONDS + ${3:-30}))
	while ! grep -q -- "$pattern" "$file" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "timed out waiting for '$pattern' in $file" >&2
			cat "$file" >&2 2>/dev/null || true
			return 1
		fi
		sleep 0.02
	done
}

# child_running PID NAME [SECONDS]: wait until a child of PID has exec'd
# NAME, and print that child's pid.  Not "the first child": with a cgroup
# altimer has another one (the guardian, altimer-guard).
child_running() {
	local deadline=$((SECONDS + ${3:-30})) child children
	while :; do
		children=()
		read -r -a children 2>/dev/null <"/proc/$1/task/$1/children" || true
		for child in "${children[@]}"; do
			if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$2" ]; then
				echo "$child"
				return 0
			fi
		done
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "no child of $1 ran $2 (children: $(cat "/proc/$1/task/$1/children" 2>/dev/null))" >&2
			return 1
		fi
		sleep 0.02
	done
}

# wait_gone PID [SECONDS]: wait until no process has this PID.
wait_gone() {
	local pid=$1 deadline=$((SECONDS + ${2:-30}))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

# cgroup_gone DIR [SECONDS]: wait until the cgroup DIR is removed.  An
# empty one is removed by altimer's guardian just after altimer ends.
cgroup_gone() {
	local deadline=$((SECONDS + ${2:-30}))
	while [ -e "$1" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "cgroup $1 is still there" >&2
			return 1
		fi
		sleep 0.02
	done
}

# raw_status CMD...: the raw wait(2) status of CMD, so a death by signal is
# told apart from an exit with 128+N.  Prints "exit N" or "signal N [core]".
raw_status() {
	perl -e '
		my $pid = fork();
		if ($pid == 0) { exec { $ARGV[0] } @ARGV; exit 127; }
		waitpid($pid, 0);
		my $s = $?;
		if ($s & 127) { printf "signal %d%s\n", $s & 127, ($s & 128) ? " core" : ""; }
		else { printf "exit %d\n", $s >> 8; }
	' "$@"
}

# show_on_failure FILE...: in teardown, after a failed test, print each
# FILE that exists (a report, a log): bats shows it with the failure, so an
# assertion on a report field can be understood from the CI log alone.
show_on_failure() {
	[ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
	local file
	for file in "$@"; do
		[ -s "$file" ] || continue
		printf '# %s:\n' "$file" >&2
		cat "$file" >&2
		printf '\n' >&2
	done
}

# elapsed_ms CMD...: run CMD, set $status and $elapsed (milliseconds).
# shellcheck disable=SC2034 # both are read by the calling test
elapsed_ms() {
	local start end
	start=$(date +%s%N)
	# Not a bare "$@": its failure would fire bats' ERR trap, which keeps
	# this line and this status as the test's failure even when a later
	# assertion is the one that fails.
	if "$@"; then status=0; else status=$?; fi
	end=$(date +%s%N)
	elapsed=$(((end - start) / 1000000))
}

# alarm_when_ready PID READY: once the file READY exists (the command has
# set its traps) and the timeout PID has armed its timer, send ALRM to PID, a
# timeout's "time out now".  The timer matters: GNU 9.1 arms it after fork()
# returns, and an ALRM that lands before then (the child may well be running
# already on a busy machine) finds no child PID stored and ends GNU with
# _exit(142), leaving the command running.  Gives up, KILLing PID, after 30 s.
alarm_when_ready() {
	local deadline=$((SECONDS + 30))
	until [ -e "$2" ] && { [ ! -e /proc/self/timers ] || grep -q '^ID:' "/proc/$1/timers"; }; do
		[ "$SECONDS" -lt "$deadline" ] || { kill -KILL "$1"; return 1; }
		sleep 0.02
	done
	kill -ALRM "$1"
}

# escapee_run ALTIMER-ARGS...: the issue's race, made independent of load:
# "altimer ARGS... 60 sh -c ..." where the shell ignores TERM, starts an
# escaped (setsid) child that ignores it too and waits for it; the deadline
# comes as an ALRM to altimer (GNU's "time out now") once the shell is
# ready, so a busy machine cannot let the TERM land before its trap.
# Sets $status.  Run it in front of -k.
# shellcheck disable=SC2034 # status is read by the calling test
escapee_run() {
	local ready="$BATS_TEST_TMPDIR/escapee-ready.$RANDOM" pid
	# shellcheck disable=SC2016 # for the shell that runs it
	"$ALTIMER" "$@" 60 sh -c 'trap "" TERM; setsid sh -c "trap \"\" TERM; sleep 300" & : >"$0"; wait' \
		"$ready" 3>&- &
	pid=$!
	alarm_when_ready "$pid" "$ready" || return 1
	status=0
	wait "$pid" || status=$?
}

# nested OUTER [OPTION...] -- INNER-ARGV...: a timeout inside a timeout, as
# "OUTER OPTION... -k 5 -s ALRM 60 INNER-ARGV... READY", where INNER-ARGV ends in a
# shell running $nested_command (which says which signal reached it and
# ends on it, once it has told READY it set its traps; each trap first
# ignores both signals, since a timeout sends to the command and then to its
# group, and dash runs a trap again for a signal that lands while it runs).
# The outer deadline comes as an ALRM to OUTER once READY exists, so a busy
# machine cannot deliver it before the traps.  Sets $output to what the command said.
# shellcheck disable=SC2034 # nested_command and output are the callers'
nested_command='trap "trap \"\" USR1 ALRM; echo USR1; exit 3" USR1; trap "trap \"\" USR1 ALRM; echo ALRM; exit 4" ALRM; : >"$0"; sleep 30 & wait'
# shellcheck disable=SC2034 # output is read by the calling test
nested() {
	local ready="$BATS_TEST_TMPDIR/nested-ready.$RANDOM" said pid
	local -a outer=()
	said="$ready.out"
	while [ "$1" != -- ]; do
		outer+=("$1")
		shift
	done
	shift
	"${outer[@]}" -k 5 -s ALRM 60 "$@" "$ready" >"$said" 3>&- &
	pid=$!
	alarm_when_ready "$pid" "$ready" || return 1
	wait "$pid" || true
	output=$(cat "$said")
}

# marked_pids: PIDs of live processes whose environment carries this
# test's marker, ALTIMER_TEST_MARK=$MARK (set by the test's setup).
marked_pids() {
	grep -lsaz "^ALTIMER_TEST_MARK=${MARK:-none}\$" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/environ|\1|' | while read -r pid; do
			# Zombies have finished; they only count if they pile up.
			state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null)
			[ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
		done
	return 0
}

# no_marked_left [SECONDS]: wait until no marked process is alive.
no_marked_left() {
	local deadline=$((SECONDS + ${1:-15})) left
	while left=$(marked_pids) && [ -n "$left" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "still alive:"; for pid in $left; do tr '\0' ' ' <"/proc/$pid/cmdline"; echo; done
			return 1
		fi
		sleep 0.05
	done
}

# uptime_now: the time since boot (/proc/uptime), read without a fork.
uptime_now() {
	local up _
	read -r up _ </proc/uptime
	echo "$up"
}

# across_a_stop PID FILE LINES [SECONDS]: once FILE has LINES lines, stop PID
# (altimer) for SECONDS (2) and continue it.  A timer that expires meanwhile
# is then read in the same wake-up as the signs of life that came meanwhile,
# as when a busy machine does not schedule altimer for a moment.  Then waits
# (20 s at most) for 3 more lines, the command's signs of life after
# that wake-up, or for PID's end: the caller ends the run (an ALRM, the
# deadline now) and its report says what happened.  The times of the stop
# and the continue go to FILE.stop.
across_a_stop() {
	local pid=$1 file=$2 lines=$3 pause=${4:-2} deadline=$((SECONDS + 20)) before
	while [ "$(wc -l 2>/dev/null <"$file" || echo 0)" -lt "$lines" ]; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "no $lines lines in $file within 20 s"; return 1; }
		sleep 0.05
	done
	kill -STOP "$pid"
	echo "stopped $(uptime_now)" >>"$file.stop"
	sleep "$pause"
	before=$(wc -l <"$file")
	kill -CONT "$pid"
	echo "continued $(uptime_now)" >>"$file.stop"
	deadline=$((SECONDS + 20))
	while [ "$(wc -l <"$file")" -lt $((before + 3)) ] && kill -0 "$pid" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.05
	done
}

# Prefixes that run COMMAND (altimer) with one of tests/helpers' libraries
# preloaded.  env execs COMMAND: the same PID, for kill -STOP.  The wrapper
# is not instrumented, so the library comes before a sanitizer's runtime.
preload_asan="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# shellcheck disable=SC2034 # read by the test files
{
	# "${KEPT_EXPIRIES[@]}" COMMAND...: timer_settime() as before Linux
	# 6.13, which leaves an expiry already queued in place (keep-expiry.c).
	KEPT_EXPIRIES=(env "LD_PRELOAD=${KEEP_EXPIRY:-$BATS_TEST_DIRNAME/helpers/keep-expiry.so}"
		"$preload_asan")
	# "${LATE_TIMERS[@]}" COMMAND...: the first timer (the deadline)
	# fires 300 ms late, as its interrupt can on a busy VM (late-timer.c).
	LATE_TIMERS=(env "LD_PRELOAD=${LATE_TIMER:-$BATS_TEST_DIRNAME/helpers/late-timer.so}"
		"$preload_asan")
	# "${NO_CGROUP_KILLS[@]}" COMMAND...: no cgroup.kill, as before Linux
	# 5.14 (no-cgroup-kill.c).
	NO_CGROUP_KILLS=(env "LD_PRELOAD=${NO_CGROUP_KILL:-$BATS_TEST_DIRNAME/helpers/no-cgroup-kill.so}"
		"$preload_asan")
}
