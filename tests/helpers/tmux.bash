# tmux.bash - typing into and reading a real terminal, for the tests that
# drive an interactive shell in tmux (load "helpers/tmux"; SOCKET names the
# tmux server).

# type_line TEXT: type TEXT and Enter.
type_line() {
	tmux -S "$SOCKET" send-keys -l "$1"
	tmux -S "$SOCKET" send-keys Enter
}

# screen [capture-pane options]: what the pane shows.
# shellcheck disable=SC2120 # the test files pass options (-e), not this file
screen() {
	tmux -S "$SOCKET" capture-pane -p "$@"
}

# wait_screen REGEX [SECONDS] [COUNT]: until COUNT lines match REGEX (30 s by
# default: a bound for a test that fails, which a busy machine must not reach).
wait_screen() {
	local deadline=$((SECONDS + ${2:-30})) want=${3:-1}
	# shellcheck disable=SC2119 # the plain screen is meant
	until [ "$(screen | grep -c -E -- "$1")" -ge "$want" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "screen never showed '$1':"
			# shellcheck disable=SC2119
			screen
			return 1
		fi
		sleep 0.05
	done
}
