#!/usr/bin/env bats
# Many altimers at once, and one that lives long: nothing piles up.

load helpers/common

setup() {
	MARK="altimer-stress-$$-$BATS_TEST_NUMBER-$RANDOM"
	export ALTIMER_TEST_MARK=$MARK
	# Notify sockets go here, so leftovers can be counted.
	export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
	mkdir -p "$XDG_RUNTIME_DIR"
}

teardown() {
	pkill -KILL -f "$MARK" 2>/dev/null || true
}

# Live processes carrying this test's marker; the grep and sed doing the
# looking carry it too, but are gone by the time their PIDs are checked.
marked_alive() {
	local count=0 pid state pids
	# A command substitution returns only once grep and sed have exited,
	# so the looking itself is never counted.
	pids=$(grep -lsaz "^ALTIMER_TEST_MARK=$MARK\$" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/environ|\1|')
	for pid in $pids; do
		state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null)
		[ -n "$state" ] && [ "$state" != Z ] && count=$((count + 1))
	done
	echo "$count"
}

@test "200 altimers timing out or exiting at random leave nothing behind" {
	pids=()
	for _ in $(seq 200); do
		deadline=0.$((RANDOM % 5 + 1))
		nap=0.$((RANDOM % 6))
		"$ALTIMER" --notify -k 0.5 "$deadline" sh -c "sleep $nap & wait; exit 3" \
			>/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	bad=0
	for pid in "${pids[@]}"; do
		status=0
		wait "$pid" || status=$?
		case $status in 3 | 124) ;; *) echo "unexpected status $status"; bad=$((bad + 1)) ;; esac
	done
	[ "$bad" -eq 0 ]
	# No process of theirs, no zombie, no socket directory.
	deadline=$((SECONDS + 10))
	while [ "$(marked_alive)" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	[ "$(marked_alive)" -eq 0 ]
	[ -z "$(ls -A "$XDG_RUNTIME_DIR")" ]
}

@test "a long-lived altimer's descriptor count stays flat" {
	f="$BATS_TEST_TMPDIR/ready"
	"$ALTIMER" --notify -i 5 60 sh -c '
		echo ready > "$1"
		i=0
		while [ $i -lt 300 ]; do
			echo "line $i"; echo "err $i" >&2
			systemd-notify WATCHDOG=1 2>/dev/null || true
			(true &)
			i=$((i + 1))
		done
		echo done > "$1"; sleep 2' sh "$f" >/dev/null 2>&1 3>&- &
	pid=$!
	wait_for "$f" ready
	before=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
	wait_for "$f" 'done' 300
	after=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
	# The orphans are altimer's to reap: none is left a zombie for long (the
	# last ones may have exited just now, on a machine too busy to have
	# run altimer since).
	deadline=$((SECONDS + 10))
	# shellcheck disable=SC2009 # zombies by state, which pgrep cannot select
	while children=$(ps -o stat= --ppid "$pid" | grep -c '^Z') && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.05
	done
	kill -TERM "$pid"
	wait "$pid" || true
	[ "$before" -eq "$after" ]
	[ "$children" -eq 0 ]
}
