# gnu.bash - run altimer and GNU timeout side by side (load "helpers/gnu").
#
# Both run under the same name, through a symlink called "timeout" found on
# PATH, so their messages ("timeout: ...", "Try 'timeout --help' ...") can be
# compared byte for byte, and in the C locale, where GNU quotes with
# apostrophes as altimer always does.

# as_timeout altimer|gnu ARG...: run one of them as "timeout ARG...".
as_timeout() {
	local which=$1 dir="$BATS_TEST_TMPDIR/as-$1"
	shift
	if [ ! -e "$dir/timeout" ]; then
		mkdir -p "$dir"
		if [ "$which" = altimer ]; then
			ln -s "$(readlink -f "$ALTIMER")" "$dir/timeout"
		else
			ln -s "$(readlink -f "$GNU_TIMEOUT")" "$dir/timeout"
		fi
	fi
	env PATH="$dir:$PATH" LC_ALL=C timeout "$@"
}

# like_gnu ARG...: altimer and GNU timeout given ARG... exit with the same
# status and print the same stdout and stderr, byte for byte.
like_gnu() {
	local out="$BATS_TEST_TMPDIR/like-gnu" ours=0 gnu=0
	mkdir -p "$out"
	as_timeout altimer "$@" >"$out/ours.out" 2>"$out/ours.err" || ours=$?
	as_timeout gnu "$@" >"$out/gnu.out" 2>"$out/gnu.err" || gnu=$?
	if [ "$ours" != "$gnu" ]; then
		echo "timeout $*: altimer exits $ours, GNU $gnu"
		cat "$out/ours.err" "$out/gnu.err"
		return 1
	fi
	diff -u "$out/gnu.out" "$out/ours.out" || { echo "timeout $*: stdout differs"; return 1; }
	# The shell's own note on a death by signal ("line 9: 123 Killed")
	# is not the program's output.
	sed -E '/^[^ ]+: line [0-9]+: +[0-9]+ [A-Z]/d' "$out/gnu.err" >"$out/gnu.err.words"
	sed -E '/^[^ ]+: line [0-9]+: +[0-9]+ [A-Z]/d' "$out/ours.err" >"$out/ours.err.words"
	diff -u "$out/gnu.err.words" "$out/ours.err.words" ||
		{ echo "timeout $*: stderr differs"; return 1; }
}

# as_altimer ARG...: run altimer as a user does, by the name "altimer"
# found on PATH, so its messages start with "altimer: ".
as_altimer() {
	local dir="$BATS_TEST_TMPDIR/as-altimer-by-name"
	if [ ! -e "$dir/altimer" ]; then
		mkdir -p "$dir"
		ln -s "$(readlink -f "$ALTIMER")" "$dir/altimer"
	fi
	env PATH="$dir:$PATH" LC_ALL=C altimer "$@"
}
