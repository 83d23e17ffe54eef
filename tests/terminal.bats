#!/usr/bin/env bats
# Interactive use, driven for real through tmux: the command reads the
# terminal, Ctrl-C and Ctrl-Z/fg work, the shell gets its terminal back.

load helpers/common
load helpers/tmux

setup() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	SOCKET="$BATS_TEST_TMPDIR/tmux"
	tmux -f /dev/null -S "$SOCKET" new-session -d -x 150 -y 40 \
		"env -i PATH='$PATH' HOME='$BATS_TEST_TMPDIR' TERM=xterm PS1='$ ' A='$ALTIMER' \
			ALTIMER_NO_PIDFD='${ALTIMER_NO_PIDFD:-}' bash --norc --noprofile -i"
	wait_screen '^\$ ?$'
	# Commands that wait in a loop without forking: dash vforks its
	# `sleep`, and a Ctrl-Z that stops the vforked child before its exec
	# leaves dash waiting in vfork, never stopped, with or without a
	# timeout around it (the shell never says Stopped).
	cat >"$BATS_TEST_TMPDIR/reader" <<'PERL'
$| = 1;
print "started=$$\n";
select(undef, undef, undef, 0.05) until -e "$ENV{HOME}/go";
my $x = <STDIN>;
chomp $x;
print "got-$x\n";
PERL
	cat >"$BATS_TEST_TMPDIR/looper" <<'PERL'
$| = 1;
print "started=$$\n";
select(undef, undef, undef, 0.2) while 1;
PERL
}

teardown() {
	if [ -n "${SOCKET:-}" ]; then
		tmux -S "$SOCKET" kill-server 2>/dev/null || true
	fi
}

keys() {
	tmux -S "$SOCKET" send-keys "$@"
}

# The pid of the shell in the pane.
shell_pid() {
	tmux -S "$SOCKET" display -p '#{pane_pid}'
}

# The terminal's foreground process group, as the shell in the pane sees it.
foreground_group() {
	ps -o tpgid= -p "$(shell_pid)" | tr -d ' '
}

# wait_foreground NAME [SECONDS]: until the leader of the terminal's
# foreground group runs NAME (has exec'd it, and holds the terminal).
wait_foreground() {
	local deadline=$((SECONDS + ${2:-10})) group
	while :; do
		group=$(foreground_group)
		[ "$(cat "/proc/$group/comm" 2>/dev/null)" = "$1" ] && return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "the foreground group never was $1's (now $group)"; screen
			return 1
		fi
		sleep 0.05
	done
}

# wait_job_foreground: until the shell in the pane has given the
# terminal to the job it started (a live group other than the shell's; a
# job that has just ended may still be named until the shell takes the
# terminal back).  The shell has then put the terminal back in its line
# mode: what is typed from here on is echoed and waits for the job's read,
# however slowly the job starts.
wait_job_foreground() {
	local deadline=$((SECONDS + 10)) shell group
	shell=$(shell_pid)
	until group=$(foreground_group) && [ "$group" != "$shell" ] &&
		pgrep -g "$group" >/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "the shell never gave the terminal to a job"; screen
			return 1
		fi
		sleep 0.05
	done
}

# wait_group_foreground PGID [SECONDS]: until PGID is the foreground group.
wait_group_foreground() {
	local deadline=$((SECONDS + ${2:-10}))
	until [ "$(foreground_group)" = "$1" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "the foreground group never was $1 (now $(foreground_group))"; screen
			return 1
		fi
		sleep 0.05
	done
}

# state PID: the process's state letter (R, S, T, ...).
state() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1
}

# wait_state PID REGEX [SECONDS]: until the process's state matches REGEX.
wait_state() {
	local deadline=$((SECONDS + ${3:-10}))
	until [[ "$(state "$1")" =~ ^$2$ ]]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "process $1 never was in state $2 (now '$(state "$1")')"; screen
			return 1
		fi
		sleep 0.05
	done
}

# number_after PREFIX: the number on the screen's line PREFIXnnn.
number_after() {
	screen | sed -n "s/^$1\([0-9][0-9]*\)\$/\1/p" | tail -n1
}

# reader_stopped_then_bg DEADLINE: start under altimer a command that, once
# $HOME/go exists, reads a line from the terminal; stop the job with Ctrl-Z
# and continue it with bg.  Sets $command (the command's pid) and $job
# (altimer's, the job's group).
reader_stopped_then_bg() {
	type_line "\"\$A\" $1 perl \"\$HOME/reader\""
	wait_screen '^started=[0-9]+$'
	command=$(number_after started=)
	wait_group_foreground "$command"
	keys C-z
	wait_screen '^\[1\]\+ +Stopped'
	type_line 'bg'
	wait_screen "^\\[1\\]\\+ \"\\\$A\" $1 perl .*&\$"
	type_line 'echo "job=$(jobs -p)"'
	wait_screen '^job=[0-9]+$'
	job=$(number_after job=)
}

@test "the command reads the terminal" {
	type_line '"$A" 30 cat'
	wait_foreground cat
	type_line 'typed-line'
	wait_screen '^typed-line$' 30 2
	keys C-d
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "the command reads the terminal from inside a pipeline or a script" {
	# altimer does not lead the shell's job group here: the case where GNU
	# timeout's own new group leaves the command in the background.
	type_line 'true | "$A" 30 sh -c "read x </dev/tty; echo piped-\$x"'
	wait_job_foreground
	type_line 'abc'
	wait_screen '^piped-abc$'
	# The shell has the terminal back before the next job starts.
	wait_group_foreground "$(shell_pid)"
	type_line 'bash -c '"'"'"$A" 30 head -n1; true'"'"''
	wait_job_foreground
	type_line 'scripted-line'
	wait_screen '^scripted-line$' 30 2
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "the command sees a terminal on stdin and stdout" {
	type_line '"$A" 5 sh -c "[ -t 0 ] && [ -t 1 ] && echo both-are-tty"'
	wait_screen '^both-are-tty$'
}

@test "Ctrl-C interrupts the command and the shell sees the interrupt" {
	type_line '"$A" 30 sleep 100'
	wait_foreground sleep
	keys C-c
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
}

@test "Ctrl-Z stops the job and fg resumes it" {
	type_line '"$A" 30 sh -c "echo started=\$\$; read x; echo got-\$x"'
	wait_screen '^started=[0-9]+$'
	command=$(number_after started=)
	wait_group_foreground "$command"
	keys C-z
	wait_screen 'Stopped'
	type_line 'jobs'
	wait_screen '^\[1\]\+ +Stopped'
	type_line 'fg'
	wait_group_foreground "$command"
	type_line 'abc'
	wait_screen '^got-abc$'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "a deadline that passed while stopped fires on fg" {
	# 3 s: a busy machine must not let the deadline pass before the Ctrl-Z.
	type_line '"$A" 3 sleep 100'
	wait_foreground sleep
	keys C-z
	wait_screen 'Stopped'
	sleep 3.2
	type_line 'fg'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=124$'
}

@test "a timeout in the foreground gives 124 and the terminal back" {
	# The status on the same line: a line typed while cat still runs
	# would be cat's.
	type_line '"$A" 0.5 cat; echo "rc=$?"'
	wait_screen '^rc=124$'
	# The shell and the next command can still read the terminal.
	type_line '"$A" 10 sh -c "read y; echo next-\$y"'
	wait_foreground sh
	type_line 'ok'
	wait_screen '^next-ok$'
}

@test "a timeout at the terminal still reaches escaped grandchildren" {
	type_line '"$A" 0.5 sh -c "setsid sleep 300 & echo gc=\$!; wait"'
	wait_screen '^gc=[0-9]+$'
	pid=$(screen | sed -n 's/^gc=\([0-9]*\)$/\1/p')
	type_line 'echo "rc=$?"'
	wait_screen '^rc=124$'
	wait_gone "$pid" 5
}

@test "altimer in the shell runs on the path of this run ($(altimer_path))" {
	type_line '"$A" 30 sleep 100 & echo "pid=$!"'
	wait_screen '^pid=[0-9]+$'
	pid=$(number_after pid=)
	# Once altimer sleeps in poll() it holds whatever handle it will use.
	wait_for "/proc/$pid/wchan" poll
	path=fallback
	for fd in "/proc/$pid/fd/"*; do
		[ "$(readlink "$fd")" = 'anon_inode:[pidfd]' ] && path=pidfd
	done
	[ "$path" = "$(altimer_path)" ]
	type_line 'kill %1; wait %1; echo "rc=$?"'
	wait_screen '^rc=143$'
}

@test "Ctrl-Z leaves \$? at 148 and the shell says Stopped, as without altimer" {
	type_line 'sleep 100'
	wait_foreground sleep
	keys C-z
	wait_screen '^\[1\]\+ +[A-Za-z() ]+ +sleep 100$'
	type_line 'echo "plain status $?"'
	wait_screen '^plain status [0-9]+$'
	type_line '"$A" 30 sleep 100'
	wait_foreground sleep
	keys C-z
	wait_screen '^\[2\]\+ +[A-Za-z() ]+ +"\$A" 30 sleep 100$'
	type_line 'echo "altimer status $?"'
	wait_screen '^altimer status [0-9]+$'

	plain_word=$(screen | sed -n 's/^\[1\]+ *\([A-Za-z() ]*[a-z)]\) *sleep 100$/\1/p')
	word=$(screen | sed -n 's/^\[2\]+ *\([A-Za-z() ]*[a-z)]\) *"$A" 30 sleep 100$/\1/p')
	echo "without altimer: '$plain_word' $(number_after 'plain status ')"
	echo "with altimer:    '$word' $(number_after 'altimer status ')"
	[ "$word" = "$plain_word" ]
	[ "$word" = Stopped ]
	[ "$(number_after 'altimer status ')" = "$(number_after 'plain status ')" ]
	[ "$(number_after 'altimer status ')" = 148 ]

	type_line 'fg %2'
	wait_foreground sleep
	keys C-c
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
	type_line 'kill %1; fg %1; echo "plain rc=$?"'
	wait_screen '^plain rc=143$'
}

@test "Ctrl-Z then bg: the shell lives on, the command runs in the background, fg and Ctrl-C end it" {
	type_line '"$A" 30 perl "$HOME/looper"'
	wait_screen '^started=[0-9]+$'
	command=$(number_after started=)
	wait_group_foreground "$command"
	keys C-z
	wait_screen '^\[1\]\+ +Stopped'
	wait_state "$command" T
	type_line 'bg'
	wait_screen '^\[1\]\+ "\$A" 30 perl .*&$'
	type_line 'echo alive'
	wait_screen '^alive$'
	type_line 'jobs'
	wait_screen '^\[1\]\+ +Running'
	# Continued: it sleeps in its loop instead of staying stopped.
	wait_state "$command" '[RSD]'
	type_line 'echo "still alive"'
	wait_screen '^still alive$'
	# fg of a running job continues nothing and tells altimer nothing: the
	# job's group (altimer's) holds the terminal, and Ctrl-Z still stops
	# the whole job.
	type_line 'echo "job=$(jobs -p)"'
	wait_screen '^job=[0-9]+$'
	job=$(number_after job=)
	type_line 'fg'
	wait_group_foreground "$job"
	keys C-z
	wait_screen '^\[1\]\+ +Stopped' 30 2
	wait_state "$command" T
	type_line 'echo "status $?"'
	wait_screen '^status 148$'
	# fg of the stopped job gives the command its terminal: Ctrl-C reaches it.
	type_line 'fg'
	wait_group_foreground "$command"
	keys C-c
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
	type_line 'echo alive-again'
	wait_screen '^alive-again$'
}

@test "after Ctrl-Z, bg and fg, the command gets the terminal when it reads it" {
	reader_stopped_then_bg 30
	type_line 'fg'
	wait_group_foreground "$job"
	# Its read from the background (SIGTTIN) is where altimer learns that
	# the job is in the foreground again.
	touch "$BATS_TEST_TMPDIR/go"
	wait_group_foreground "$command"
	type_line 'abc'
	wait_screen '^got-abc$'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "a command continued by bg that reads the terminal stops again, and fg gives it the terminal" {
	reader_stopped_then_bg 30
	# Now the background command reads the terminal: SIGTTIN stops it,
	# and altimer stops with it, as the shell's job.
	touch "$BATS_TEST_TMPDIR/go"
	wait_state "$command" T
	wait_state "$job" T
	type_line 'jobs'
	wait_screen '^\[1\]\+ +Stopped +"\$A" 30 perl' 30 2
	type_line 'echo alive'
	wait_screen '^alive$'
	type_line 'fg'
	wait_group_foreground "$command"
	type_line 'abc'
	wait_screen '^got-abc$'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "after Ctrl-Z and bg the deadline still fires" {
	type_line '"$A" 3 sleep 100'
	wait_foreground sleep
	keys C-z
	wait_screen '^\[1\]\+ +Stopped'
	type_line 'bg'
	wait_screen '^\[1\]\+ "\$A" 3 sleep 100 &$'
	type_line 'echo alive'
	wait_screen '^alive$'
	# The job may have ended by now on a busy machine: the shell has then
	# said so ("Exit 124"), and wait finds no job.
	type_line 'wait %1; echo "status $?"'
	wait_screen '^status 124$|^\[1\]\+ +Exit 124 +"\$A" 3 sleep 100$' 30
	type_line 'echo alive-again'
	wait_screen '^alive-again$'
}

@test "in a job the shell left behind, a command that reads the terminal stays stopped until the deadline" {
	# The inner shell exits with the job running in the background: no
	# shell is left to continue it (an orphaned group, where the kernel
	# discards altimer's own SIGTTIN).
	type_line 'bash --norc --noprofile -i'
	reader_stopped_then_bg 3
	type_line 'exit'
	wait_screen '^exit$'
	touch "$BATS_TEST_TMPDIR/go"
	wait_state "$command" T
	# Until the deadline ends it, altimer does not continue it over and over.
	ticks=0 deadline=$((SECONDS + 30))
	while [[ "$(state "$job")" =~ ^[RSDT]$ ]] && [ "$SECONDS" -lt "$deadline" ]; do
		ticks=$(sed 's/.*) //' "/proc/$job/stat" 2>/dev/null | awk '{ print $12 + $13 }') || true
		sleep 0.1
	done
	echo "altimer used $ticks clock ticks"
	[ "${ticks:-0}" -lt 30 ]
	wait_gone "$command" 10
	type_line 'echo alive'
	wait_screen '^alive$'
}

# modes_after COMMAND: run COMMAND at the prompt, then show its status and
# the terminal's isig, icanon and echo modes on one line each.
modes_after() {
	type_line "$1"'; echo "rc=$?"; echo "modes=$(stty -a | tr " ;" "\n\n" | grep -E "^-?(isig|icanon|echo)$" | tr "\n" " ")"'
}

@test "a full-screen program timed out leaves the terminal's modes as they were" {
	command -v vim >/dev/null || skip "vim is not installed"
	modes_after '"$A" 2 vim -u NONE'
	wait_screen 'rc=124' 30
	wait_screen 'modes=isig icanon echo *$'
	# The same under --keepalive, whose pty is for the output only.
	type_line 'clear'
	modes_after '"$A" -i 2 30 vim -u NONE'
	wait_screen 'rc=124' 30
	wait_screen 'modes=isig icanon echo *$'
}

@test "GNU timeout leaves a timed-out full-screen program's terminal raw (a listed difference)" {
	command -v vim >/dev/null || skip "vim is not installed"
	type_line "G='$GNU_TIMEOUT'"
	modes_after '"$G" 2 vim -u NONE'
	wait_screen 'rc=124' 30
	wait_screen 'modes=-isig -icanon -echo *$'
}

@test "a command that ends by itself keeps the modes it left, as without altimer" {
	modes_after '"$A" 30 stty -echo -icanon'
	wait_screen 'rc=0'
	wait_screen 'modes=isig -icanon -echo *$'
}

@test "--retry at the terminal: Ctrl-C in an attempt ends it all, and Ctrl-C in the delay ends altimer at once, \$? 130" {
	type_line '"$A" --retry=3 30 sh -c "echo attempt=\$ALTIMER_ATTEMPT; exec sleep 30"'
	wait_screen '^attempt=1$'
	wait_foreground sleep
	keys C-c
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
	[ "$(screen | grep -c '^attempt=')" -eq 1 ]
	type_line 'clear'
	type_line '"$A" -v --retry=3 --retry-delay=1h 0.3 sleep 30'
	wait_screen 'retrying in 3600s'
	keys C-c
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
}

@test "a job timed out in the background leaves the terminal's modes alone" {
	# Once the command runs, altimer has saved the modes; the shell's
	# command in the foreground then changes them, and the job's timeout
	# comes while it runs.
	type_line '"$A" 2 sh -c "touch \$HOME/started; exec sleep 30" & until [ -e "$HOME/started" ]; do sleep 0.05; done; stty -echo; sleep 4; echo "modes=$(stty -a | tr " ;" "\n\n" | grep -E "^-?(isig|icanon|echo)$" | tr "\n" " ")"; stty echo'
	wait_screen 'modes=isig icanon -echo *$' 30
	# It did time out meanwhile.
	wait_screen '^\[1\]\+ +Exit 124 '
}
