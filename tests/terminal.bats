#!/usr/bin/env bats
# Interactive use, driven for real through tmux: the command reads the
# terminal, Ctrl-C and Ctrl-Z/fg work, the shell gets its terminal back.

load helpers/common

setup() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	SOCKET="$BATS_TEST_TMPDIR/tmux"
	tmux -f /dev/null -S "$SOCKET" new-session -d -x 150 -y 40 \
		"env -i PATH='$PATH' HOME='$BATS_TEST_TMPDIR' TERM=xterm PS1='$ ' A='$ALTIMER' bash --norc --noprofile -i"
	wait_screen '^\$ ?$'
}

teardown() {
	if [ -n "${SOCKET:-}" ]; then
		tmux -S "$SOCKET" kill-server 2>/dev/null || true
	fi
}

keys() {
	tmux -S "$SOCKET" send-keys "$@"
}

type_line() {
	tmux -S "$SOCKET" send-keys -l "$1"
	tmux -S "$SOCKET" send-keys Enter
}

screen() {
	tmux -S "$SOCKET" capture-pane -p
}

# wait_screen REGEX [SECONDS] [COUNT]: until COUNT lines match REGEX.
wait_screen() {
	local deadline=$((SECONDS + ${2:-10})) want=${3:-1}
	until [ "$(screen | grep -c -E -- "$1")" -ge "$want" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "screen never showed '$1':"; screen
			return 1
		fi
		sleep 0.05
	done
}

@test "the command reads the terminal" {
	type_line '"$A" 30 cat'
	sleep 0.3
	type_line 'typed-line'
	wait_screen '^typed-line$' 10 2
	keys C-d
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "the command reads the terminal from inside a pipeline or a script" {
	# altimer does not lead the shell's job group here: the case where GNU
	# timeout's own new group leaves the command in the background.
	type_line 'true | "$A" 30 sh -c "read x </dev/tty; echo piped-\$x"'
	sleep 0.3
	type_line 'abc'
	wait_screen '^piped-abc$'
	type_line 'bash -c '"'"'"$A" 30 head -n1; true'"'"''
	sleep 0.3
	type_line 'scripted-line'
	wait_screen '^scripted-line$' 10 2
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "the command sees a terminal on stdin and stdout" {
	type_line '"$A" 5 sh -c "[ -t 0 ] && [ -t 1 ] && echo both-are-tty"'
	wait_screen '^both-are-tty$'
}

@test "Ctrl-C interrupts the command and the shell sees the interrupt" {
	type_line '"$A" 30 sleep 100'
	sleep 0.5
	keys C-c
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
}

@test "Ctrl-Z stops the job and fg resumes it" {
	type_line '"$A" 30 sh -c "read x; echo got-\$x"'
	sleep 0.5
	keys C-z
	wait_screen 'Stopped'
	type_line 'jobs'
	wait_screen '^\[1\]\+ +Stopped'
	type_line 'fg'
	sleep 0.5
	type_line 'abc'
	wait_screen '^got-abc$'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "a deadline that passed while stopped fires on fg" {
	type_line '"$A" 1 sleep 100'
	sleep 0.3
	keys C-z
	wait_screen 'Stopped'
	sleep 1.5
	type_line 'fg'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=124$'
}

@test "a timeout in the foreground gives 124 and the terminal back" {
	type_line '"$A" 0.5 cat'
	sleep 1.5
	type_line 'echo "rc=$?"'
	wait_screen '^rc=124$'
	# The shell and the next command can still read the terminal.
	type_line '"$A" 10 sh -c "read y; echo next-\$y"'
	sleep 0.3
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
