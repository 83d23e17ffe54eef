#!/usr/bin/env bats
# --contain=cgroup: the command's own cgroup (v2).  KILL is one write to
# cgroup.kill, other ladder signals are sent with the cgroup frozen, the end
# of the tree is "populated 0", a guardian kills the cgroup if altimer is
# killed, and the report has the whole tree's usage.  Skipped where no
# cgroup can be made (not root, no delegated subtree, no cgroup2).

load helpers/common

setup() {
	if ! why=$(cgroup_possible); then
		skip "no cgroup can be made here: $why"
	fi
	TMP=$(mktemp -d)
	R=$TMP/report.json
	MARK="altimer-cgroup-$$-$BATS_TEST_NUMBER-$RANDOM"
	export ALTIMER_TEST_MARK=$MARK
}

teardown() {
	show_on_failure "${R:-}"
	for pid in $(marked_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	[ -z "${BOX:-}" ] || rmdir "$BOX" 2>/dev/null || true
	rm -rf "${TMP:-/nonexistent}"
}

field() {
	jq -r "$1" "$R"
}

# The cgroup directory the report says altimer made.
made_cgroup() {
	field .containment_reason | sed -n 's/^made \([^ ]*\).*/\1/p'
}

@test "the command starts in its own cgroup, which is gone when altimer ends" {
	run "$ALTIMER" --contain=cgroup --report="$R" 5 sh -c 'grep "^0::" /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "$(field .containment)" = cgroup ]
	dir=$(made_cgroup)
	[[ "$dir" == */altimer-[0-9]* ]]
	# The command saw itself in that cgroup, from its first instruction.
	[[ "$output" == "0::"*"/${dir##*/}" ]]
	cgroup_gone "$dir"
}

@test "on x86-64 the command is cloned into its cgroup sharing memory, and does not move itself" {
	# A process writing itself to cgroup.procs waits for an RCU grace
	# period; clone3's CLONE_INTO_CGROUP does not.
	[ "$(uname -m)" = x86_64 ] || skip "the shared clone3 start is x86-64's"
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	ASAN_OPTIONS=detect_leaks=0 run strace -f -o "$TMP/strace" -e trace=clone3,openat \
		"$ALTIMER" --contain=cgroup --report="$R" 5 sh -c 'grep "^0::" /proc/self/cgroup'
	[ "$status" -eq 0 ]
	dir=$(made_cgroup)
	[[ "$output" == "0::"*"/${dir##*/}" ]]
	grep -q 'clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_INTO_CGROUP,' "$TMP/strace"
	run grep 'cgroup.procs", O_WRONLY' "$TMP/strace"
	[ "$status" -eq 1 ]
}

@test "with clone3 refused (seccomp), the command moves itself into its cgroup before exec" {
	"$DENY" EPERM clone3 -- true 2>/dev/null || skip "seccomp filters cannot be installed here"
	run "$DENY" EPERM clone3 -- "$ALTIMER" --contain=cgroup --report="$R" 5 \
		sh -c 'grep "^0::" /proc/self/cgroup'
	[ "$status" -eq 0 ]
	dir=$(made_cgroup)
	[[ "$output" == "0::"*"/${dir##*/}" ]]
	cgroup_gone "$dir"
	run "$DENY" ENOSYS clone3 -- "$ALTIMER" --contain=cgroup -k 0.3 0.5 \
		sh -c 'setsid sh -c "trap \"\" TERM; sleep 300" & trap "" TERM; wait'
	[ "$status" -eq 137 ]
	no_marked_left
}

@test "auto chooses the cgroup where one can be made, and says why" {
	run "$ALTIMER" -vvv --report="$R" 5 true
	[ "$status" -eq 0 ]
	[ "$(field .containment)" = cgroup ]
	[[ "$output" == *"containment: cgroup (made /"*"/altimer-"* ]]
}

# The host's cgroup2 mount point.
host_mount() {
	awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

@test "where cgroup2 is mounted at a usual place, statmount finds it: mountinfo is not read" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	case "$(host_mount)" in
	/sys/fs/cgroup | /sys/fs/cgroup/unified) ;;
	*) skip "cgroup2 is mounted at $(host_mount)" ;;
	esac
	# statmount came with Linux 6.8.
	IFS=. read -r major minor _ < /proc/sys/kernel/osrelease
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "${minor%%[!0-9]*}" -ge 8 ]; } ||
		skip "Linux $major.$minor has no statmount"
	ASAN_OPTIONS=detect_leaks=0 run strace -o "$TMP/strace" -e trace=open,openat \
		"$ALTIMER" --contain=cgroup --report="$R" 5 true
	[ "$status" -eq 0 ]
	[ "$(field .containment)" = cgroup ]
	[[ "$(made_cgroup)" == "$(host_mount)/"* ]]
	[ "$(grep -c mountinfo "$TMP/strace")" -eq 0 ]
}

@test "a cgroup2 mount at no usual place is found in mountinfo" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount"
	unshare -m true 2>/dev/null || skip "no mount namespaces here"
	mkdir "$TMP/cg"
	# In a mount namespace of its own: the usual places hidden under a
	# tmpfs, the same hierarchy mounted at $TMP/cg.
	# shellcheck disable=SC2016 # expanded by that sh
	run --separate-stderr unshare -m --propagation private sh -c '
		mount -t cgroup2 none "$1" && mount -t tmpfs none /sys/fs/cgroup &&
		exec "$2" --contain=cgroup --report="$3" 5 sh -c "grep ^0:: /proc/self/cgroup"
	' sh "$TMP/cg" "$ALTIMER" "$R"
	[ "$status" -eq 0 ]
	dir=$(made_cgroup)
	[[ "$dir" == "$TMP/cg/"*altimer-[0-9]* ]]
	[[ "$output" == "0::"*"/${dir##*/}" ]]
	# Gone, seen through the host's own mount.
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	cgroup_gone "$(host_mount)${own%/}/${dir##*/}"
}

@test "in a cgroup namespace the namespace's own mount is used; one showing the cgroups above is refused, with the reason" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a cgroup namespace"
	unshare -C -m true 2>/dev/null || skip "no cgroup or mount namespaces here"
	mount=$(host_mount)
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	BOX=$mount${own%/}/altimer-box-$$-$RANDOM
	mkdir "$BOX"
	# A shell moves into the box and makes a cgroup namespace there: the
	# host's mount then shows "/.." as its root, and altimer's cgroup,
	# "/" in the namespace, cannot be placed in it.
	# shellcheck disable=SC2016 # expanded by that sh
	run --separate-stderr sh -c 'echo $$ > "$1/cgroup.procs" &&
		exec unshare -C "$2" --report="$3" 5 true' sh "$BOX" "$ALTIMER" "$R"
	[ "$status" -eq 0 ]
	[ "$(field .containment)" = tree ]
	[ "$(field .containment_reason)" = "altimer's cgroup / is outside the cgroup2 mount $mount" ]
	# A cgroup2 mount made inside the namespace shows it from its root
	# (at /sys/fs/cgroup: the kernel refuses the same file system twice
	# on one mount point).
	# shellcheck disable=SC2016 # expanded by that sh
	run --separate-stderr sh -c 'echo $$ > "$1/cgroup.procs" &&
		exec unshare -C -m --propagation private sh -c "mount -t cgroup2 none /sys/fs/cgroup &&
			exec \"\$0\" --contain=cgroup --report=\"\$1\" 5 grep ^0:: /proc/self/cgroup" \
			"$2" "$3"' sh "$BOX" "$ALTIMER" "$R"
	[ "$status" -eq 0 ]
	dir=$(made_cgroup)
	[[ "$dir" == "/sys/fs/cgroup/altimer-"[0-9]* ]]
	[ "$output" = "0::/${dir##*/}" ]
	cgroup_gone "$BOX/${dir##*/}"
	rmdir "$BOX"
}

@test "the cgroup is removed after a timeout, an exec failure and altimer's own failure" {
	run "$ALTIMER" --contain=cgroup --report="$R" 0.2 sleep 10
	[ "$status" -eq 124 ]
	dir=$(made_cgroup); [ -n "$dir" ]; cgroup_gone "$dir"
	run -127 "$ALTIMER" --contain=cgroup --report="$R" 5 /nonexistent/command
	[ "$status" -eq 127 ]
	dir=$(made_cgroup); [ -n "$dir" ]; cgroup_gone "$dir"
	run "$ALTIMER" --contain=cgroup --report="$R" 5 /etc/passwd
	[ "$status" -eq 126 ]
	dir=$(made_cgroup); [ -n "$dir" ]; cgroup_gone "$dir"
	# No timer at all can be made: altimer gives up with 125 before the
	# command starts.
	"$DENY" EAGAIN timer_create -- true 2>/dev/null || skip "seccomp filters cannot be installed here"
	run "$DENY" EAGAIN timer_create timerfd_create -- "$ALTIMER" --contain=cgroup --report="$R" 5 sleep 10
	[ "$status" -eq 125 ]
	[ "$(field .reason)" = error ]
	dir=$(made_cgroup); [ -n "$dir" ]; cgroup_gone "$dir"
	no_marked_left
}

@test "an empty cgroup is removed by the guardian once altimer has ended, a nested one left inside too" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	# The rmdir is off the caller's wait: the guardian's, after altimer's
	# exit_group.
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -o "$TMP/log" -e trace=rmdir,exit_group \
		"$ALTIMER" --contain=cgroup --report="$R" 5 true
	[ "$status" -eq 0 ]
	dir=$(made_cgroup); [ -n "$dir" ]
	cgroup_gone "$dir"
	owner=${dir##*/altimer-}
	[ "$(grep -c "rmdir(\"$dir\")" "$TMP/log")" -eq 1 ]
	[ "$(grep "rmdir(\"$dir\")" "$TMP/log" | awk '{ print $1 }')" != "$owner" ]
	[ "$(grep -E "^$owner +exit_group|rmdir\(\"$dir\"\)" "$TMP/log" | head -1 | grep -c exit_group)" -eq 1 ]
	# An empty cgroup the command made inside its own: the guardian's
	# rmdir fails (EBUSY), and its full clean-up removes both.
	run "$ALTIMER" --contain=cgroup --report="$R" 5 \
		sh -c 'mkdir "$1$(sed -n "s/^0:://p" /proc/self/cgroup)/inner"' sh "$(host_mount)"
	[ "$status" -eq 0 ]
	dir=$(made_cgroup); [ -n "$dir" ]
	cgroup_gone "$dir"
	no_marked_left
}

@test "altimer as PID 1 of a namespace removes its cgroup itself: its end kills the guardian" {
	unshare -pf --mount-proc true 2>/dev/null || skip "no PID namespaces here"
	run unshare -pf --mount-proc "$ALTIMER" --contain=cgroup --report="$R" 5 true
	[ "$status" -eq 0 ]
	dir=$(made_cgroup); [ -n "$dir" ]
	[[ "$dir" == */altimer-1* ]]
	# Gone at once, and stays gone: nobody else would remove it (the
	# next altimer's sweep takes PID 1 for alive).
	cgroup_gone "$dir" 5
}

@test "a command that ends in time keeps its background processes, and its cgroup still goes" {
	run "$ALTIMER" --contain=cgroup --report="$R" 10 sh -c 'setsid sleep 300 >/dev/null 2>&1 & echo $!'
	[ "$status" -eq 0 ]
	dir=$(made_cgroup); cgroup_gone "$dir"
	kill -0 "$output"
	kill "$output"
}

# ALTIMER_RACE_RUNS=200 scripts/soak 1 tests/cgroup.bats: the issue's count.
@test "an escaped grandchild ignoring TERM: -k gives 137 every time (the issue's race)" {
	for ((i = 1; i <= ${ALTIMER_RACE_RUNS:-10}; i++)); do
		escapee_run --contain=cgroup -k 0.3
		[ "$status" -eq 137 ] || { echo "run $i: $status"; return 1; }
	done
	no_marked_left
}

@test "the ladder's KILL is one cgroup.kill, and nothing is listed as left behind after it" {
	run "$ALTIMER" --contain=cgroup --report="$R" -k 0.3 0.3 sh -c 'trap "" TERM; (setsid sh -c "trap \"\" TERM; sleep 300" &); sleep 300'
	[ "$status" -eq 137 ]
	[ "$(field '[.signals[] | select(.signal == "KILL") | .target] | join(",")')" = cgroup ]
	no_marked_left
}

@test "members that left the group get the ladder's TERM too, counted in the report" {
	run "$ALTIMER" --contain=cgroup --report="$R" 3 sh -c '
		setsid sh -c "echo \$\$ >> \"\$1\"; exec sleep 30" sh "$1" &
		setsid sh -c "echo \$\$ >> \"\$1\"; exec sleep 30" sh "$1" &
		while [ "$(wc -l < "$1" 2>/dev/null)" != 2 ]; do sleep 0.05; done
		sleep 30' sh "$TMP/left"
	[ "$status" -eq 124 ]
	[ "$(jq -c '[.signals[] | select(.target == "tree") | [.signal, .processes]][0]' "$R")" = '["TERM",2]' ]
	no_marked_left
}

@test "the cgroup is frozen for a signal only when members left the group" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	# The group alone: its one signal reaches all, no freeze.
	ASAN_OPTIONS=detect_leaks=0 run strace -f -o "$TMP/alone" -e trace=openat \
		"$ALTIMER" --contain=cgroup 0.3 sleep 30
	[ "$status" -eq 124 ]
	grep -q '"cgroup.procs"' "$TMP/alone"
	[ "$(grep -c '"cgroup.freeze"' "$TMP/alone")" -eq 0 ]
	# A member outside it: frozen, signalled, thawed.  The deadline comes
	# as an ALRM once that member runs.
	ASAN_OPTIONS=detect_leaks=0 strace -f -o "$TMP/left" -e trace=openat \
		"$ALTIMER" --contain=cgroup --report="$R" 300 sh -c '
		setsid sh -c "echo ready > \"\$1\"; exec sleep 30" sh "$1" &
		wait' sh "$TMP/ready" 3>&- &
	pid=$!
	wait_for "$TMP/ready" ready 30
	kill -ALRM "$(child_running "$pid" altimer)"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	[ "$(grep -c '"cgroup.freeze"' "$TMP/left")" -eq 2 ]
	[ "$(jq -c '[.signals[] | select(.target == "tree") | [.signal, .processes]][0]' "$R")" = '["TERM",1]' ]
	no_marked_left
}

@test "kill -9 of altimer leaves nothing of the tree alive (the guardian)" {
	f=$TMP/started
	"$ALTIMER" --contain=cgroup --report="$R" 300 sh -c '
		setsid sleep 301 & (setsid sleep 302 &); sh -c "trap \"\" TERM HUP; sleep 303" &
		echo $$ > "$1"; wait' sh "$f" 3>&- &
	pid=$!
	wait_for "$f" '[0-9]'
	dir=$(sed -n 's/^0::\(.*\)/\1/p' "/proc/$(cat "$f")/cgroup")
	[ "$(marked_pids | wc -l)" -ge 6 ] # altimer, guardian, sh, 3 sleeps (+ sh)
	kill -KILL "$pid"
	wait "$pid" || true
	no_marked_left 5
	# The guardian removed the cgroup too.
	mount=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ ! -e "$mount$dir" ]
}

@test "after kill -9 of altimer the whole tree gets the ladder's first signal before the KILL" {
	f=$TMP/got
	# -k 30: the guardian gives the tree 30 s from USR1 to KILL (1 s
	# without -k), time enough for the trap on a busy machine.
	"$ALTIMER" --contain=cgroup -k 30 -s USR1 300 sh -c '
		setsid sh -c "trap \"echo got >> \$0; exit 0\" USR1; echo ready >> \$0
			while :; do sleep 0.05; done" "$1" &
		wait' sh "$f" 3>&- &
	pid=$!
	wait_for "$f" ready
	kill -KILL "$pid"
	wait "$pid" || true
	# The escaped grandchild is no child of the command: only the
	# guardian could have sent it USR1.
	wait_for "$f" got 5
	no_marked_left 5
}

@test "the guardian is altimer's child outside the command's cgroup and snapshot, and is gone when altimer ends" {
	f=$TMP/children
	# The command lists altimer's children with their name and cgroup,
	# once the guardian (started beside it) has named itself; then the
	# deadline comes as an ALRM, so the report holds a snapshot.
	# shellcheck disable=SC2016 # expanded by that sh
	"$ALTIMER" --contain=cgroup --report="$R" 300 sh -c '
		list() {
			for p in $(cat /proc/$PPID/task/$PPID/children); do
				echo "$(cat /proc/$p/comm) $(sed -n "s/^0:://p" /proc/$p/cgroup)"
			done
		}
		i=0
		while [ $i -lt 400 ] && ! list | grep -q "^altimer-guard "; do
			sleep 0.05; i=$((i + 1))
		done
		list > "$1.part"; mv "$1.part" "$1"
		exec sleep 30' sh "$f" 3>&- &
	pid=$!
	wait_for "$f" '^sh ' 30
	kill -ALRM "$pid"
	status=0; wait "$pid" || status=$?
	[ "$status" -eq 124 ]
	# The guardian stays in altimer's cgroup (the test's own); the
	# command is in the one altimer made in it.
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	dir=$(made_cgroup)
	[ -n "$dir" ]
	[ "$(sort "$f")" = "altimer-guard $own"$'\n'"sh ${own%/}/${dir##*/}" ]
	# The snapshot holds the command alone (sh, or sleep once exec'd).
	[[ "$(field '[.snapshot[].comm] | join(" ")')" =~ ^(sh|sleep)$ ]]
	no_marked_left 2
}

@test "a nested altimer gets the outer signal and translates it for its command" {
	nested "$ALTIMER" --contain=cgroup -- "$ALTIMER" --contain=cgroup -s USR1 60 \
		sh -c "$nested_command"
	[ "$output" = USR1 ]
	no_marked_left
}

@test "GNU timeout inside gets the outer signal and translates it, as under GNU timeout" {
	nested "$ALTIMER" --contain=cgroup -- "$GNU_TIMEOUT" -s USR1 60 sh -c "$nested_command"
	[ "$output" = USR1 ]
	nested "$GNU_TIMEOUT" -- "$GNU_TIMEOUT" -s USR1 60 sh -c "$nested_command"
	[ "$output" = USR1 ]
	no_marked_left
}

@test "KILL from the outer altimer reaches the inner one's cgroup too, and both cgroups go" {
	run "$ALTIMER" --contain=cgroup --report="$R" -s KILL 0.5 "$ALTIMER" --contain=cgroup 60 \
		sh -c '(setsid sh -c "trap \"\" TERM; sleep 300" &); sleep 300'
	[ "$status" -eq 137 ]
	no_marked_left
	dir=$(made_cgroup); [ -n "$dir" ]; cgroup_gone "$dir"
}

@test "without cgroup.kill (Linux before 5.14) the KILL walks the nested cgroups, and both cgroups go" {
	# The freeze-and-walk fallback: every cgroup.procs of the tree, then
	# the walk removing the inner altimer's empty cgroup.
	run "${NO_CGROUP_KILLS[@]}" "$ALTIMER" --contain=cgroup --report="$R" -s KILL 0.5 "$ALTIMER" --contain=cgroup 60 \
		sh -c '(setsid sh -c "trap \"\" TERM; sleep 300" &); sleep 300'
	[ "$status" -eq 137 ]
	no_marked_left
	dir=$(made_cgroup); [ -n "$dir" ]; cgroup_gone "$dir"
}

@test "the report's tree usage counts a grandchild the command never waited for" {
	# perl burns 0.5 s of CPU in a double-forked grandchild: reparented
	# to altimer, its time is not in the command's own rusage.
	run "$ALTIMER" --contain=cgroup --report="$R" 30 sh -c '
		(setsid perl -e "1 while (times)[0] < 0.5; open my \$f, \">\", \$ARGV[0]" "$1" &)
		while [ ! -e "$1" ]; do sleep 0.05; done' sh "$TMP/burnt"
	[ "$status" -eq 0 ]
	[ "$(field '.usage.user_cpu < 0.3')" = true ]
	[ "$(field '.tree_usage.user_cpu >= 0.45 and .tree_usage.user_cpu < 10')" = true ]
	[ "$(field '.tree_usage.system_cpu >= 0')" = true ]
	[ "$(field '.tree_usage.pressure.cpu_some_us >= 0')" = true ]
}

@test "without a cgroup, --contain=cgroup fails with 125 and the reason; auto falls back to the tree" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run altimer as another user"
	cp "$ALTIMER" "$TMP/altimer"
	chmod 755 "$TMP" "$TMP/altimer"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/altimer" --contain=cgroup 5 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"/altimer: --contain=cgroup: cannot create a cgroup in "*": Permission denied" ]]
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/altimer" -vvv 0.2 sleep 5
	[ "$status" -eq 124 ]
	[[ "$output" == *"containment: tree (cannot create a cgroup in "* ]]
}

@test "--contain refuses an unknown mode; tree and group never make a cgroup" {
	run "$ALTIMER" --contain=box 5 true
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == *"altimer: invalid --contain "?"box"?": use auto, cgroup, tree or group" ]]
	run "$ALTIMER" --contain=tree --report="$R" 5 sh -c 'grep "^0::" /proc/self/cgroup'
	[ "$(field .containment)" = tree ]
	[[ "$output" != *altimer-* ]]
	run "$ALTIMER" --group-only --report="$R" 5 true
	[ "$(field '[.containment, .containment_reason] | join(" ")')" = "group --contain=group" ]
	[ "$(field .tree_usage)" = null ]
}

# The directory altimer makes its cgroups in: the test's own cgroup.
cgroup_parent() {
	local mount
	mount=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	echo "$mount$(sed -n 's/^0:://p' /proc/self/cgroup)"
}

@test "a TERM while the cgroup is being made leaves no cgroup behind" {
	command -v strace >/dev/null || skip "strace is not installed"
	parent=$(cgroup_parent)
	# mkdir returns 3 s late: the TERM comes in between, once the
	# directory exists.
	strace -f -o /dev/null -e inject=mkdirat:delay_exit=3000000 \
		"$ALTIMER" --contain=cgroup 30 sleep 60 &
	tracer=$!
	# This altimer's cgroup, named by its PID (strace's child), not any
	# new one: the altimers of test files running beside this one make
	# theirs in the same place, and one of them got this TERM once.
	dir="" pid=""
	for _ in $(seq 500); do
		[ -n "$pid" ] || pid=$(pgrep -P "$tracer" | head -1)
		[ -z "$pid" ] ||
			dir=$(find "$parent" -maxdepth 1 \( -name "altimer-$pid" -o -name "altimer-$pid-*" \) | head -1)
		[ -n "$dir" ] && break
		sleep 0.02
	done
	[ -n "$dir" ]
	kill -TERM "$pid"
	wait "$tracer" || true
	cgroup_gone "$dir"
	no_marked_left
}

@test "kill -9 of altimer and its guardian: the next altimer removes the empty cgroup they left" {
	"$ALTIMER" --contain=cgroup --report="$R" 300 sh -c 'echo $$ >"$1"; exec sleep 300' sh "$TMP/started" &
	pid=$!
	wait_for "$TMP/started" '[0-9]'
	dir=$(cgroup_parent)/altimer-$pid
	[ -d "$dir" ]
	guardian=$(child_running "$pid" altimer-guard)
	kill -KILL "$guardian" "$pid"
	wait "$pid" || true
	kill -KILL "$(cat "$TMP/started")"
	# Empty now, but nobody is left to remove it.
	for _ in $(seq 250); do
		[ "$(cat "$dir/cgroup.procs" 2>/dev/null)" = "" ] && break
		sleep 0.02
	done
	[ -d "$dir" ]
	# Younger than 5 s it may be an altimer's of another PID namespace
	# that has not started its command yet: kept.
	"$ALTIMER" --contain=cgroup 5 true
	[ -d "$dir" ]
	sleep 5
	"$ALTIMER" --contain=cgroup 5 true
	[ ! -e "$dir" ]
}

@test "a run looks at no more than 16 of the others' cgroups for stale ones; where more are left, the next runs find the rest" {
	# In a box of the test's own: the altimers of test files running
	# beside this one sweep where they are, not here.
	BOX=$(cgroup_parent)
	BOX=${BOX%/}/altimer-box-$$-$RANDOM
	mkdir "$BOX"
	# 40 empty cgroups of altimers that cannot be alive: PIDs above the
	# kernel's highest pid_max (2^22).
	dirs=()
	for i in $(seq 40); do
		dirs+=("$BOX/altimer-$((4194304 + i))")
	done
	mkdir "${dirs[@]}"
	left() {
		local n=0 dir
		for dir in "${dirs[@]}"; do [ -d "$dir" ] && n=$((n + 1)); done
		echo "$n"
	}
	sweep_in_box() {
		# shellcheck disable=SC2016 # expanded by that sh
		sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" --contain=cgroup 5 true' sh "$BOX" "$ALTIMER"
	}
	# A cgroup's inode, and its ctime, come with the first look after
	# the mkdir (an altimer's own opens it at once).
	[ "$(left)" -eq 40 ]
	sleep 5
	sweep_in_box
	# At most 16 of these 40 went (the box's other altimers' cgroups,
	# young, may take some of the 16 looks).
	[ "$(left)" -ge 24 ]
	[ "$(left)" -lt 40 ]
	for _ in $(seq 60); do
		[ "$(left)" -eq 0 ] && break
		sweep_in_box
	done
	[ "$(left)" -eq 0 ]
	# The guardians remove the last altimers' own cgroups, then the box goes.
	for _ in $(seq 250); do
		rmdir "$BOX" 2>/dev/null && break
		sleep 0.02
	done
	[ ! -e "$BOX" ]
}

@test "the cgroup's parent is opened once, for the mkdir and the sweep, and neither the command nor the rest of the run holds it" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	parent=$(cgroup_parent)
	parent=${parent%/}
	# The sweep of stale cgroups uses the descriptor the mkdir had: no
	# second lookup of the path (the run below has nothing to move out).
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -o "$TMP/strace" -e trace=open,openat \
		"$ALTIMER" --contain=cgroup --report="$R" 5 "$PROBE" fds
	[ "$status" -eq 0 ]
	[ "$(field .containment)" = cgroup ]
	# The command's descriptors: none is the parent's (nor the cgroup's).
	[[ "$output" != *" $parent"* ]]
	opened=$(awk -v a="\"$parent\"" -v b="\"$parent/\"" 'index($0, a) || index($0, b)' "$TMP/strace" | wc -l)
	[ "$opened" -eq 1 ]
	# Once the command runs, altimer has closed it: it waits with no
	# descriptor of the parent's.
	"$ALTIMER" --contain=cgroup 300 sh -c 'echo $$ >"$1"; exec sleep 300' sh "$TMP/started" &
	pid=$!
	wait_for "$TMP/started" '[0-9]'
	held=yes
	for _ in $(seq 250); do
		held=""
		for fd in /proc/"$pid"/fd/*; do
			if [ "$(readlink "$fd")" = "$parent" ]; then held=$fd; fi
		done
		[ -z "$held" ] && break
		sleep 0.02
	done
	kill -TERM "$pid"
	wait "$pid" || true
	[ -z "$held" ]
}

@test "after a timeout cgroup.events is opened once: the emptiness the leftovers' wait read is not read again at the end" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	# The command alone, and one that leaves a child behind for the
	# leftovers' KILL: either way the end's rmdir is left to the guardian
	# on the strength of the wait's "populated 0".
	for command in 'exec sleep 30' 'sleep 30 & exec sleep 30'; do
		ASAN_OPTIONS=detect_leaks=0 run strace -o "$TMP/strace" -e trace=open,openat \
			"$ALTIMER" --contain=cgroup --report="$R" 0.3 sh -c "$command"
		[ "$status" -eq 124 ]
		[ "$(field .containment)" = cgroup ]
		[ "$(grep -c '"cgroup.events"' "$TMP/strace")" -eq 1 ]
		cgroup_gone "$(made_cgroup)"
	done
	no_marked_left
}

@test "a guardian whose ppoll fails for good looks once a second instead of spinning, and still acts on kill -9" {
	"$DENY" EPERM ppoll -- true 2>/dev/null || skip "seccomp filters cannot be installed here"
	"$DENY" EPERM ppoll -- "$ALTIMER" --contain=cgroup 300 sh -c 'echo $$ >"$1"; exec sleep 300' \
		sh "$TMP/started" &
	pid=$!
	wait_for "$TMP/started" '[0-9]'
	guardian=$(child_running "$pid" altimer-guard)
	sleep 3
	# utime + stime, in clock ticks (100 a second): a spin takes most of
	# a CPU even on a busy machine.
	ticks=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$guardian/stat")
	[ "$ticks" -lt 30 ]
	kill -KILL "$pid"
	wait "$pid" || true
	no_marked_left 15
}

@test "a member that has left the cgroup between the read of cgroup.procs and its signal is not signalled" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted here"
	BOX=$(host_mount)/altimer-box-$$-$RANDOM
	mkdir "$BOX"
	# A member outside the command's group gets its own signal, by pidfd.
	# From altimer's third pidfd_open on (itself, the command, then that
	# member) each returns 3 s late: the handle is taken, and meanwhile the
	# member moves out, as a PID reused outside the cgroup would be.  The
	# membership check must keep the TERM from it.
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$TMP/log" -e trace=pidfd_open \
		-e inject=pidfd_open:delay_exit=3000000:when=3+ \
		"$ALTIMER" --contain=cgroup 300 sh -c '
		setsid sh -c "echo \$\$ > \"\$1\"; exec sleep 301" sh "$1" &
		wait' sh "$TMP/member" 3>&- &
	tracer=$!
	wait_for "$TMP/member" '[0-9]' 30
	member=$(cat "$TMP/member")
	pid=$(child_running "$tracer" altimer 30)
	kill -ALRM "$pid"
	wait_for "$TMP/log" "pidfd_open($member," 30
	echo "$member" > "$BOX/cgroup.procs"
	wait_gone "$pid" 60
	# Left alone: still sleeping, in the other cgroup.  (strace, which
	# follows it too, ends once it is killed.)
	[ "$(cat "/proc/$member/comm")" = sleep ]
	grep -q "^0::.*/${BOX##*/}\$" "/proc/$member/cgroup"
	kill -KILL "$member"
	status=0; wait "$tracer" || status=$?
	[ "$status" -eq 124 ]
	rmdir "$BOX"
}
