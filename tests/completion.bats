#!/usr/bin/env bats
# The shell completions as a user meets them: `make install` into a
# temporary directory, then real interactive bash, zsh and fish in tmux,
# each told about that directory the way a user would, pressing TAB.

load helpers/common

BUILDDIR=${ALTIMER_BUILDDIR:-$ALTIMER_SRCDIR}

setup_file() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	root="$BATS_FILE_TMPDIR/root"
	# make check may run this: the install is a make of its own.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$BUILDDIR" install DESTDIR="$root" >"$BATS_FILE_TMPDIR/install.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/install.log"; return 1; }
	export INSTALL_ROOT=$root
	SOCKET="$BATS_FILE_TMPDIR/tmux"
	export SOCKET
	tmux -f /dev/null -S "$SOCKET" new-session -d -s idle -x 200 -y 50 "sleep 3600"

	# A command of a unique name, to see COMMAND completed on its own.
	mkdir -p "$BATS_FILE_TMPDIR/bin" "$BATS_FILE_TMPDIR/empty"
	printf '#!/bin/sh\n' >"$BATS_FILE_TMPDIR/bin/zz-altimer-test-cmd"
	chmod +x "$BATS_FILE_TMPDIR/bin/zz-altimer-test-cmd"
}

teardown_file() {
	if [ -n "${SOCKET:-}" ]; then
		tmux -S "$SOCKET" kill-server 2>/dev/null || true
	fi
}

# installed NAME [PATH-PATTERN]: the one file make install wrote by that name.
installed() {
	find "$INSTALL_ROOT" -type f -name "$1" -path "${2:-*}" | head -1
}

# The bash completion: the file named altimer that is not the program.
installed_bash() {
	find "$INSTALL_ROOT" -type f -name altimer ! -path '*/bin/*' | head -1
}

# configured OPTION: configure was given OPTION (config.status records it).
configured() {
	grep -q -e "$1" "$BUILDDIR/config.status"
}

# The environment every shell starts with: nothing of the caller's but PATH,
# the installed altimer first.
shell_env() {
	local bindir
	bindir=$(dirname "$(installed altimer '*/bin/*')")
	home="$BATS_FILE_TMPDIR/home-$1"
	mkdir -p "$home"
	echo "env -i HOME=$home TERM=screen LANG=C.UTF-8" \
		"PATH=$bindir:$BATS_FILE_TMPDIR/bin:/usr/local/bin:/usr/bin:/bin"
}

# start SHELL COMMAND...: a tmux window named SHELL running COMMAND in an
# empty directory; wait for its prompt, "@@ ".
start() {
	local name=$1
	shift
	TARGET="idle:sh-$name"
	tmux -S "$SOCKET" kill-window -t "$TARGET" 2>/dev/null || true
	tmux -S "$SOCKET" new-window -d -t idle: -n "sh-$name" -c "$BATS_FILE_TMPDIR/empty" "$*"
	wait_screen '^@@ ' 30
}

screen() {
	tmux -S "$SOCKET" capture-pane -p -J -t "$TARGET"
}

# The command line: the first line, as the screen was cleared before it.
command_line() {
	screen | head -1 | sed 's/ *$//'
}

# wait_screen REGEX [SECONDS]: until some line of the screen matches.
wait_screen() {
	local deadline=$((SECONDS + ${2:-20}))
	until screen | grep -q -E -- "$1"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "the screen never showed /$1/:"
			screen
			return 1
		fi
		sleep 0.05
	done
}

# wait_line REGEX: until the command line matches REGEX (whole line).
wait_line() {
	local deadline=$((SECONDS + 20))
	until [[ $(command_line) =~ ^@@\ $1$ ]]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "the command line never became /@@ $1/:"
			screen
			return 1
		fi
		sleep 0.05
	done
}

# A fresh, empty command line at the top of a cleared screen.  Ctrl-C
# cancels the line, Ctrl-L clears the screen; a Ctrl-C that arrives while a
# completion is still running only ends that completion, so both are sent
# again until the line is empty.
fresh_line() {
	local deadline=$((SECONDS + 20)) next=0
	until [ "$(screen | grep -c .)" -eq 1 ] && [ "$(command_line)" = "@@" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "the shell never showed a clean prompt:"
			screen
			return 1
		fi
		if [ "$SECONDS" -ge "$next" ]; then
			tmux -S "$SOCKET" send-keys -t "$TARGET" C-c
			tmux -S "$SOCKET" send-keys -t "$TARGET" C-l
			next=$((SECONDS + 2))
		fi
		sleep 0.05
	done
}

# tab TEXT [TABS]: type TEXT on a fresh line and press TAB (TABS times).
tab() {
	fresh_line
	tmux -S "$SOCKET" send-keys -t "$TARGET" -l "$1"
	local i
	for ((i = 0; i < ${2:-1}; i++)); do
		tmux -S "$SOCKET" send-keys -t "$TARGET" Tab
	done
}

# completes TEXT REGEX: TAB turns the line TEXT into one matching REGEX.
completes() {
	tab "$1"
	wait_line "$2"
}

# lists TEXT REGEX...: two TABs show a list where each REGEX matches.
lists() {
	local text=$1 regex
	shift
	tab "$text" 2
	for regex in "$@"; do
		wait_screen "$regex" || return 1
	done
}

start_bash() {
	command -v bash >/dev/null || skip "bash is not installed"
	local main=/usr/share/bash-completion/bash_completion dir rc
	[ -f "$main" ] || skip "bash-completion is not installed"
	dir=$(dirname "$(installed_bash)")
	[ "$dir" != . ] || skip "configure was told to install no bash completion"
	rc="$BATS_FILE_TMPDIR/bashrc"
	# As in a user's ~/.bashrc: bash-completion, which loads a command's
	# completion on demand from XDG_DATA_DIRS/bash-completion/completions.
	{
		echo "PS1='@@ '"
		echo ". $main"
		case $dir in
		*/bash-completion/completions)
			echo "export XDG_DATA_DIRS=${dir%/bash-completion/completions}:/usr/local/share:/usr/share" ;;
		*) echo ". $dir/altimer" ;;
		esac
	} >"$rc"
	start bash "$(shell_env bash) bash --noprofile --rcfile $rc -i"
}

start_zsh() {
	command -v zsh >/dev/null || skip "zsh is not installed"
	local dir zdot="$BATS_FILE_TMPDIR/zdot"
	dir=$(dirname "$(installed _altimer)")
	[ "$dir" != . ] || skip "configure was told to install no zsh completion"
	mkdir -p "$zdot"
	# As in a user's ~/.zshrc.
	cat >"$zdot/.zshrc" <<-EOF
		fpath=($dir \$fpath)
		autoload -Uz compinit && compinit -u -d $BATS_FILE_TMPDIR/zcompdump
		PROMPT='@@ '
	EOF
	# -d: without the system's zshrc, which may run compinit before fpath is set.
	start zsh "$(shell_env zsh) ZDOTDIR=$zdot zsh -d -i"
}

start_fish() {
	command -v fish >/dev/null || skip "fish is not installed"
	local dir config="$BATS_FILE_TMPDIR/config" data="$BATS_FILE_TMPDIR/data" env
	dir=$(dirname "$(installed altimer.fish)")
	[ "$dir" != . ] || skip "configure was told to install no fish completion"
	# An existing generated_completions keeps fish from parsing every man
	# page in the background at its first start.
	mkdir -p "$config/fish" "$data/fish/generated_completions"
	cat >"$config/fish/config.fish" <<-'EOF'
		set -g fish_greeting
		set -g fish_autosuggestion_enabled 0
		function fish_prompt; echo -n '@@ '; end
		function fish_right_prompt; end
	EOF
	env="$(shell_env fish) XDG_CONFIG_HOME=$config XDG_DATA_HOME=$data"
	# fish reads XDG_DATA_DIRS/fish/vendor_completions.d, as a user's
	# session sets it; another directory goes on fish_complete_path.
	case $dir in
	*/fish/vendor_completions.d)
		env="$env XDG_DATA_DIRS=${dir%/fish/vendor_completions.d}:/usr/share" ;;
	*) echo "set -p fish_complete_path $dir" >>"$config/fish/config.fish" ;;
	esac
	start fish "$env fish -i"
}

need_git() {
	command -v git >/dev/null || skip "git is not installed"
}

# installed_where NAME FILE CONVENTIONAL-DIR SHELL: make install wrote FILE
# as completions/NAME, in CONVENTIONAL-DIR unless configure was told
# otherwise.
installed_where() {
	if [ -z "$2" ]; then
		configured "--with-$4-completion-dir=no" || { echo "no $1 installed"; return 1; }
		return 0
	fi
	cmp "$2" "$ALTIMER_SRCDIR/completions/$1"
	case $2 in
	*/"$3/$1") ;;
	*) configured "--with-$4-completion-dir" || { echo "$2 is not in $3"; return 1; } ;;
	esac
}

@test "make install writes altimer, its man page and the three completions" {
	[ -x "$(installed altimer '*/bin/*')" ]
	[ -f "$(installed altimer.1 '*/man1/*')" ]
	installed_where altimer "$(installed_bash)" bash-completion/completions bash
	installed_where _altimer "$(installed _altimer)" zsh/site-functions zsh
	installed_where altimer.fish "$(installed altimer.fish)" fish/vendor_completions.d fish
}

@test "bash completes options and signal names" {
	start_bash
	completes 'altimer --pre' 'altimer --preserve-status'
	completes 'altimer --sig' 'altimer --signal='
	completes 'altimer -s TE' 'altimer -s TERM'
	completes 'altimer -s te' 'altimer -s TERM'
	completes 'altimer --signal=te' 'altimer --signal=TERM'
	completes 'altimer -v --signal=ki' 'altimer -v --signal=KILL'
	lists 'altimer -s ' 'KILL' 'TERM' 'USR1'
}

@test "bash completes COMMAND and its own arguments after DURATION" {
	need_git
	start_bash
	completes 'altimer 5 zz-alt' 'altimer 5 zz-altimer-test-cmd'
	lists 'altimer 5 gi' '(^| )git( |$)'
	# Of git's commands only checkout is offered (git's porcelain list).
	completes 'altimer 5 git chec' 'altimer 5 git checkout'
	completes 'altimer 5 ls --almost-al' 'altimer 5 ls --almost-all'
}

@test "bash completes COMMAND's arguments after --opt=value and separate option values" {
	need_git
	start_bash
	completes 'altimer --kill-after=2 5 git checko' 'altimer --kill-after=2 5 git checkout'
	completes 'altimer --signal=INT --kill-after=2 5 git checko' \
		'altimer --signal=INT --kill-after=2 5 git checkout'
	completes 'altimer -k 2 -vs KILL 5 git checko' 'altimer -k 2 -vs KILL 5 git checkout'
	completes 'altimer -- 5 git checko' 'altimer -- 5 git checkout'
}

@test "zsh completes options and signal names" {
	start_zsh
	completes 'altimer --pre' 'altimer --preserve-status'
	# A unique option is inserted at once, with "=" for its value.
	completes 'altimer --sig' 'altimer --signal='
	completes 'altimer -s TE' 'altimer -s TERM'
	completes 'altimer -s te' 'altimer -s TERM'
	completes 'altimer --signal=te' 'altimer --signal=TERM'
	lists 'altimer -s ' 'KILL' 'TERM' 'USR1'
}

@test "zsh offers the units of DURATION and of the options' durations" {
	start_zsh
	lists 'altimer 10' 'seconds' 'minutes' 'hours' 'days' 'milliseconds'
	lists 'altimer -k 1 --signal=INT 2' 'seconds' 'minutes'
	lists 'altimer -k 5' 'seconds' 'minutes'
	lists 'altimer --keepalive=5' 'seconds' 'minutes'
}

@test "zsh completes COMMAND and its own arguments after DURATION" {
	need_git
	start_zsh
	completes 'altimer 5 zz-alt' 'altimer 5 zz-altimer-test-cmd'
	lists 'altimer 5 gi' '(^| )git( |$)'
	completes 'altimer 5 git checko' 'altimer 5 git checkout'
	# zsh offers all of git's commands: "check" is common to six of them.
	lists 'altimer 5 git chec' 'checkout ' 'check-ignore '
	completes 'altimer 5 ls --almost-al' 'altimer 5 ls --almost-all'
}

@test "zsh completes COMMAND's arguments after --opt=value and separate option values" {
	need_git
	start_zsh
	completes 'altimer --kill-after=2 5 git checko' 'altimer --kill-after=2 5 git checkout'
	completes 'altimer -k 2 -vs KILL 5 git checko' 'altimer -k 2 -vs KILL 5 git checkout'
	completes 'altimer -- 5 git checko' 'altimer -- 5 git checkout'
}

@test "fish completes options and signal names" {
	start_fish
	completes 'altimer --pre' 'altimer --preserve-status'
	completes 'altimer --sig' 'altimer --signal'
	completes 'altimer -s TE' 'altimer -s TERM'
	completes 'altimer -s te' 'altimer -s TERM'
	completes 'altimer --signal=TE' 'altimer --signal=TERM'
	# fish drops "--signal=" when it changes the case of a match (fish
	# issue #3709), so the name comes in the case typed; altimer takes both.
	completes 'altimer --signal=te' 'altimer --signal=term'
	lists 'altimer -s ' 'KILL' 'TERM' 'USR1'
}

@test "fish completes COMMAND and its own arguments after DURATION" {
	need_git
	start_fish
	completes 'altimer 5 zz-alt' 'altimer 5 zz-altimer-test-cmd'
	lists 'altimer 5 gi' '(^| )git( |$)'
	# Of git's commands only checkout is offered (git's porcelain list).
	completes 'altimer 5 git chec' 'altimer 5 git checkout'
	completes 'altimer 5 ls --almost-al' 'altimer 5 ls --almost-all'
}

@test "fish completes COMMAND's arguments after --opt=value and separate option values" {
	need_git
	start_fish
	completes 'altimer --kill-after=2 5 git checko' 'altimer --kill-after=2 5 git checkout'
	completes 'altimer -k 2 -vs KILL 5 git checko' 'altimer -k 2 -vs KILL 5 git checkout'
	completes 'altimer -- 5 git checko' 'altimer -- 5 git checkout'
}

@test "bash offers durations for DURATION and the options that take one, signals and delays in --ladder and --every" {
	start_bash
	lists 'altimer ' '(^| )1s( |$)' '(^| )30s( |$)' '(^| )10m( |$)' '(^| )1h( |$)'
	completes 'altimer 3' 'altimer 30s'
	completes 'altimer -v 3' 'altimer -v 30s'
	completes 'altimer -k 3' 'altimer -k 30s'
	completes 'altimer --kill-after=3' 'altimer --kill-after=30s'
	completes 'altimer --heartbeat=3' 'altimer --heartbeat=30s'
	completes 'altimer -i 3' 'altimer -i 30s'
	completes 'altimer --on-timeout-limit=3' 'altimer --on-timeout-limit=30s'
	# --ladder: SIGNAL, DELAY, SIGNAL...; no space after a part.
	completes 'altimer --ladder=IN' 'altimer --ladder=INT'
	completes 'altimer --ladder=INT,3' 'altimer --ladder=INT,30s,'
	completes 'altimer --ladder=INT,30s,ki' 'altimer --ladder=INT,30s,KILL'
	lists 'altimer --ladder=INT,5s,' 'INT,5s,KILL' 'INT,5s,TERM'
	# --every: INTERVAL, then SIGNAL.
	completes 'altimer --every=3' 'altimer --every=30s,'
	completes 'altimer --every=10s,US' 'altimer --every=10s,USR'
	lists 'altimer --every=10s,' '10s,USR1' '10s,USR2' '10s,HUP'
	completes 'altimer --retry-on=f' 'altimer --retry-on=failure'
	completes 'altimer --retry-delay=3' 'altimer --retry-delay=30s'
	lists 'altimer --budget=1' '(^| )1h( |$)' '(^| )1m( |$)'
}

@test "zsh offers durations for DURATION and the options that take one, signals and delays in --ladder and --every" {
	start_zsh
	lists 'altimer ' '(^| )1s ' 'one second' '(^| )10m ' 'ten minutes'
	# After a number, the common durations it begins and the units.
	lists 'altimer 3' '30s +-- thirty seconds' 'm +-- minutes'
	lists 'altimer -k 3' '30s +-- thirty seconds' 'm +-- minutes'
	lists 'altimer --heartbeat=3' '30s +-- thirty seconds'
	lists 'altimer --on-timeout-limit=3' '30s +-- thirty seconds'
	completes 'altimer --ladder=IN' 'altimer --ladder=INT'
	lists 'altimer --ladder=INT,3' '30s +-- thirty seconds'
	completes 'altimer --ladder=INT,30s,ki' 'altimer --ladder=INT,30s,KILL'
	lists 'altimer --every=' '10s +-- ten seconds'
	completes 'altimer --every=10s,USR2' 'altimer --every=10s,USR2 ?'
	lists 'altimer --every=10s,' 'USR1' 'USR2' 'HUP'
	lists 'altimer --retry-on=' 'timeout +-- a timed-out attempt' 'failure +-- any status but 0'
	lists 'altimer --budget=1' '1h +-- one hour'
}

@test "fish offers durations and signals with what each value is, not the option's text again" {
	start_fish
	lists 'altimer ' '1s +\(one second\)' '10m +\(ten minutes\)'
	completes 'altimer 3' 'altimer 30s'
	completes 'altimer -k 3' 'altimer -k 30s'
	completes 'altimer --heartbeat=3' 'altimer --heartbeat=30s'
	completes 'altimer --ladder=INT,3' 'altimer --ladder=INT,30s,'
	completes 'altimer --ladder=INT,30s,KI' 'altimer --ladder=INT,30s,KILL'
	completes 'altimer --every=3' 'altimer --every=30s,'
	lists 'altimer --every=10s,' 'USR1 +\(user-defined' 'HUP +\(hangup'
	lists 'altimer -s ' 'TERM +\(terminate' 'KILL +\(kill: cannot be caught'
	lists 'altimer --contain=' 'cgroup +\(its own cgroup' 'group +\(its process group only'
	lists 'altimer --retry-on=' 'timeout +\(retry only a timed-out attempt' 'failure +\(retry any status'
	completes 'altimer --budget=5' 'altimer --budget=5m'
	[ "$(screen | grep -c "How a timeout reaches")" -eq 0 ]
}
