#!/usr/bin/env bats
# --pty: under --keepalive, a command whose output goes to a terminal gets a
# pseudo-terminal, so it keeps colours, isatty and line buffering; the
# user's terminal stays its controlling terminal.  Driven through a raw pty
# of the test's own (helpers/ptyrun) and, for job control and resizes,
# through tmux.

load helpers/common
load helpers/tmux

PTYRUN=$BATS_TEST_DIRNAME/helpers/ptyrun

# A program that prints a line a second and never flushes: block-buffered
# behind a pipe, line-buffered on a terminal.
UNFLUSHED='import time
for i in range(6):
    print("line", i)
    time.sleep(1)'

@test "at a terminal the command's stdout and stderr are terminals, bytes unchanged" {
	run "$PTYRUN" "$ALTIMER" -i 5 10 sh -c 'test -t 1 && echo out-tty; test -t 2 && echo err-tty >&2; printf "a\nb\n"'
	[ "$status" -eq 0 ]
	# raw: no "\r\n" added
	[ "$output" = "$(printf 'out-tty\nerr-tty\na\nb')" ]
	[ "$(printf '%s' "$output" | tr -d -c '\r' | wc -c)" -eq 0 ]
}

@test "ls --color=auto keeps its colours" {
	run "$PTYRUN" "$ALTIMER" -i 5 10 ls --color=auto /
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\e['* ]]
}

@test "--pty=never gives pipes, as in a pipeline" {
	run "$PTYRUN" "$ALTIMER" --pty=never -i 5 10 sh -c 'test -t 1 || echo out-pipe; test -t 2 || echo err-pipe >&2'
	[ "$output" = "$(printf 'out-pipe\nerr-pipe')" ]
}

@test "--pty=always gives a terminal behind a pipe too, as unbuffer does" {
	run bash -c '"$1" --pty=always -i 5 10 sh -c "test -t 1 && echo out-tty; test -t 2 && echo err-tty >&2" 2>&1 | cat' \
		sh "$ALTIMER"
	[ "$output" = "$(printf 'out-tty\nerr-tty')" ]
}

@test "auto: only the stream that goes to a terminal gets one" {
	run "$PTYRUN" sh -c '"$0" -i 5 10 sh -c "test -t 1 && echo out-tty; test -t 2 || echo err-pipe >&2" 2>"$1"' \
		"$ALTIMER" "$BATS_TEST_TMPDIR/err"
	[ "$output" = out-tty ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = err-pipe ]
}

@test "a program printing a line a second without flushing stays alive at a terminal" {
	run env -u PYTHONUNBUFFERED "$PTYRUN" "$ALTIMER" -i 3 20 python3 -c "$UNFLUSHED"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "the same program dies of silence with --pty=never (its output is block-buffered)" {
	run env -u PYTHONUNBUFFERED "$PTYRUN" "$ALTIMER" --pty=never -i 3 20 python3 -c "$UNFLUSHED"
	[ "$status" -eq 124 ]
}

@test "the window size is copied at the start and follows a resize" {
	run "$PTYRUN" --size 30x100 --resize-after 1 40x120 "$ALTIMER" -i 5 20 python3 -c '
import os, time
for i in range(15):
    print(os.get_terminal_size(1), flush=True)
    time.sleep(0.2)'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "os.terminal_size(columns=100, lines=30)" ]
	[ "${lines[14]}" = "os.terminal_size(columns=120, lines=40)" ]
}

@test "a command that changes size hears SIGWINCH again once the pty has the new size" {
	# The command asks only when told: after the resize, altimer copies the
	# size when the command next writes, and sends SIGWINCH.
	run "$PTYRUN" --size 30x100 --resize-after 1 40x120 "$ALTIMER" -i 5 20 python3 -c '
import os, signal, time
got = []
signal.signal(signal.SIGWINCH, lambda *a: got.append(os.get_terminal_size(1).columns))
print("start", flush=True)
time.sleep(1.5)
print("wrote", flush=True)
time.sleep(0.5)
print(got[-1] if got else "none", flush=True)'
	[ "${lines[2]}" = 120 ]
}

@test "an invalid --pty is refused with 125" {
	run --separate-stderr "$ALTIMER" --pty=sometimes -i 5 10 true
	[ "$status" -eq 125 ]
	[ "${stderr_lines[0]}" = "$ALTIMER_NAME: invalid --pty 'sometimes': use auto, always or never" ]
	[ "${stderr_lines[1]}" = "Try '$ALTIMER_NAME --help' for more information." ]
}

# tmux: the user's terminal, with job control.
tmux_setup() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	SOCKET="$BATS_TEST_TMPDIR/tmux"
	tmux -f /dev/null -S "$SOCKET" new-session -d -x 100 -y 30 \
		"env -i PATH='$PATH' HOME='$BATS_TEST_TMPDIR' TERM=xterm PS1='$ ' A='$ALTIMER' bash --norc --noprofile -i"
	wait_screen '^\$ ?$'
}

teardown() {
	if [ -n "${SOCKET:-}" ]; then
		tmux -S "$SOCKET" kill-server 2>/dev/null || true
	fi
}

@test "tmux: colours and isatty at a real terminal" {
	tmux_setup
	type_line '"$A" -i 5 10 sh -c "test -t 1 && echo stdout-is-a-tty; ls --color=auto /"; echo "rc=$?"'
	wait_screen '^rc=0$'
	screen | grep -q '^stdout-is-a-tty$'
	# the names come in colour
	screen -e | grep -q $'\e\\[[0-9;]*m'"bin"
}

@test "tmux: the size follows a resize of the window" {
	tmux_setup
	type_line '"$A" -i 5 30 python3 -c "import os,time
for i in range(60): print(\"size\", os.get_terminal_size(1).columns, flush=True); time.sleep(0.2)"'
	wait_screen '^size 100$'
	tmux -S "$SOCKET" resize-window -x 120 -y 30
	wait_screen '^size 120$'
	# stty reads stdin: the user's terminal, resized as well
	tmux -S "$SOCKET" send-keys C-c
	wait_screen 'KeyboardInterrupt'
	type_line 'stty size'
	wait_screen '^30 120$'
}

@test "tmux: Ctrl-C ends the command under -i (130, as without altimer)" {
	tmux_setup
	type_line '"$A" -i 5 30 sh -c "echo started; sleep 20"'
	wait_screen '^started$'
	tmux -S "$SOCKET" send-keys C-c
	wait_screen '^\$ ?$'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=130$'
}

@test "tmux: Ctrl-Z and fg under -i: the command stops and carries on" {
	tmux_setup
	# perl, not sh: dash vforks its sleep, and a Ctrl-Z that stops the
	# child before its exec leaves dash in vfork, never stopped.
	type_line '"$A" -i 5 30 perl -e "\$| = 1; for \$i (1..6) { print qq(tick\$i\\n); select(undef, undef, undef, 0.5) }"'
	wait_screen '^tick2$'
	tmux -S "$SOCKET" send-keys C-z
	wait_screen 'Stopped'
	type_line 'fg'
	wait_screen '^tick6$'
	wait_screen '^\$ ?$'
	type_line 'echo "rc=$?"'
	wait_screen '^rc=0$'
}

@test "tmux: with --foreground altimer hears SIGWINCH itself and passes the new size on" {
	tmux_setup
	# The command only asks on SIGWINCH and writes nothing meanwhile.
	type_line '"$A" --foreground -i 10 30 python3 -c "import os,signal,time
got=[]
signal.signal(signal.SIGWINCH, lambda *a: got.append(os.get_terminal_size(1).columns))
print(\"ready\", flush=True)
time.sleep(3)
print(\"last\", got[-1] if got else None, flush=True)"'
	wait_screen '^ready$'
	tmux -S "$SOCKET" resize-window -x 120 -y 30
	wait_screen '^last '
	screen | grep -qx 'last 120'
}

@test "--pty=always passes binary output byte for byte, to the last byte" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/data"
	"$ALTIMER" --pty=always -i 5 30 cat "$BATS_TEST_TMPDIR/data" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/out"
	for i in 1 2 3 4 5; do
		"$ALTIMER" --pty=always -i 5 30 printf "last line $i\n" >"$BATS_TEST_TMPDIR/short"
		[ "$(cat "$BATS_TEST_TMPDIR/short")" = "last line $i" ]
	done
}

@test "--pty=always, reader gone: the command dies of a broken pipe, silently, as with GNU and pipes" {
	for _ in 1 2 3 4 5; do
		run bash -c '"$@" 2>"$BATS_TEST_TMPDIR/err" | head -1 >/dev/null
			echo "${PIPESTATUS[0]}"' sh "$ALTIMER" -i 5 --pty=always 60 yes
		[ "$output" = 141 ]
		[ ! -s "$BATS_TEST_TMPDIR/err" ]
		run bash -c '"$@" 2>"$BATS_TEST_TMPDIR/err" | head -1 >/dev/null
			echo "${PIPESTATUS[0]}"' sh /usr/bin/timeout 60 yes
		[ "$output" = 141 ]
		[ ! -s "$BATS_TEST_TMPDIR/err" ]
	done
	"$ALTIMER" --report="$BATS_TEST_TMPDIR/r.json" -i 5 --pty=always 60 yes | head -1 >/dev/null || true
	jq -e '[.signals[] | select(.cause == "broken-pipe" and .signal == "PIPE")] | length == 1' \
		"$BATS_TEST_TMPDIR/r.json"
}
