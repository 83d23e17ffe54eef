#!/usr/bin/env bats
# Static checks of everything written in shell: the tests and their helpers,
# the bash completion, the scripts; zsh and fish parse their completions.

load helpers/common

need() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}

@test "shellcheck finds nothing in the tests and their helpers" {
	need shellcheck
	cd "$ALTIMER_SRCDIR"
	# tests/.shellcheckrc lists the checks that do not fit bats.
	shellcheck tests/*.bats tests/helpers/common.bash tests/helpers/gnu.bash tests/helpers/tmux.bash tests/helpers/run-bats
}

@test "shellcheck finds nothing in the bash completion" {
	need shellcheck
	shellcheck -s bash "$ALTIMER_SRCDIR/completions/altimer"
}

@test "shellcheck finds nothing in the scripts" {
	need shellcheck
	cd "$ALTIMER_SRCDIR"
	files=()
	for f in scripts/install-deps scripts/setup scripts/test scripts/check-dist scripts/soak bench/run fuzz/run \
		tests/kernel/fetch tests/kernel/initramfs tests/kernel/guest tests/kernel/tests tests/kernel/matrix \
		tests/kernel/scenarios; do
		[ -e "$f" ] && files+=("$f")
	done
	# All are in the release tarball too (scripts/check-dist checks it).
	[ "${#files[@]}" -eq 13 ]
	shellcheck "${files[@]}"
}

@test "zsh parses the zsh completion" {
	need zsh
	zsh -n "$ALTIMER_SRCDIR/completions/_altimer"
}

@test "fish parses the fish completion" {
	need fish
	fish --no-execute "$ALTIMER_SRCDIR/completions/altimer.fish"
}
