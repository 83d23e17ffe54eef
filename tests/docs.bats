#!/usr/bin/env bats
# --help, the man page and the shell completions describe the same options.

load helpers/common

MAN="$ALTIMER_SRCDIR/man/altimer.1"
BASH_COMPLETION="$ALTIMER_SRCDIR/completions/altimer"
ZSH_COMPLETION="$ALTIMER_SRCDIR/completions/_altimer"
FISH_COMPLETION="$ALTIMER_SRCDIR/completions/altimer.fish"

# "name" or "x name" per option, from --help.
help_options() {
	"$ALTIMER" --help | sed -n -E 's/^ +(-([a-z]), )?--([a-z-]+).*/\2 \3/p' | sed 's/^ //'
}

help_long_options() {
	help_options | awk '{ print $NF }' | sort
}

# Long options the man page's OPTIONS section documents (.TP headings).
man_long_options() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$MAN" | grep -A1 '^\.TP' |
		grep -o -E '\\-\\-[a-z\\-]+' | sed 's/\\//g; s/^--//' | sort -u
}

@test "--help lists at least GNU timeout's options" {
	run help_long_options
	for name in foreground kill-after preserve-status signal verbose help version; do
		grep -qx "$name" <<<"$output" || { echo "missing --$name"; false; }
	done
}

@test "the man page documents exactly the options --help lists" {
	diff <(help_long_options) <(man_long_options)
}

@test "the man page pairs each short option with its long one as --help does" {
	while read -r short long; do
		[ -n "$long" ] || continue
		grep -q -F ".BR \\-$short \", \" \\-\\-${long//-/\\-}" "$MAN" ||
			{ echo "man page lacks -$short, --$long"; return 1; }
	done < <(help_options)
}

@test "the bash completion offers exactly the long options of --help" {
	offered=$(grep -o -E -- '--[a-z][a-z-]*=?' "$BASH_COMPLETION" | sed 's/=$//; s/^--//' |
		grep -v -x -E 'signal|kill-after' | sort -u; echo signal; echo kill-after)
	diff <(help_long_options) <(sort -u <<<"$offered")
}

@test "the zsh completion offers exactly the options of --help" {
	diff <(help_long_options) \
		<(grep -o -E -- '--[a-z][a-z-]*' "$ZSH_COMPLETION" | sed 's/^--//' | sort -u)
	while read -r short long; do
		[ -n "$long" ] || continue
		grep -q -E -- "\\{-$short\\+?,--$long=?\\}" "$ZSH_COMPLETION" ||
			{ echo "zsh lacks -$short/--$long"; return 1; }
	done < <(help_options)
}

@test "the fish completion offers exactly the options of --help" {
	diff <(help_long_options) \
		<(grep '^complete' "$FISH_COMPLETION" | grep -o -E -- '-l [a-z][a-z-]*' | sed 's/^-l //' | sort -u)
	while read -r short long; do
		[ -n "$long" ] || continue
		grep -q -E -- "-s $short -l $long( |\$)" "$FISH_COMPLETION" ||
			{ echo "fish lacks -s $short -l $long"; return 1; }
	done < <(help_options)
}

@test "every short option in --help is accepted" {
	while read -r short long; do
		[ -n "$long" ] || continue
		case $short in
		s) args=(-s TERM) ;;
		k) args=(-k 1) ;;
		i) args=(-i 5) ;;
		*) args=("-$short") ;;
		esac
		run "$ALTIMER" "${args[@]}" 5 true
		[ "$status" -eq 0 ] || { echo "-$short: $status $output"; return 1; }
	done < <(help_options)
}

@test "the man page is clean under mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$MAN"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--version matches the version in the man page header" {
	version=$("$ALTIMER" --version | sed -n '1s/^altimer //p')
	grep -q "^\.TH ALTIMER 1 .*\"altimer $version\"" "$MAN"
}

@test "bash completes options, signal names, and the wrapped command's arguments" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	complete_words() {
		bash -c 'source /usr/share/bash-completion/bash_completion
			source "$0"
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_altimer altimer "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
			printf "%s\n" "${COMPREPLY[@]}"' "$BASH_COMPLETION" "$@"
	}
	run complete_words altimer --sig
	[ "$output" = "--signal=" ]
	run complete_words altimer -s KI
	[ "$output" = KILL ]
	run complete_words altimer -s term
	[ "$output" = TERM ]
	run complete_words altimer 5 ls --almost-al
	[ "$output" = "--almost-all" ]
	# Words as bash splits them with '=' in COMP_WORDBREAKS.
	run complete_words altimer --signal = te
	[ "$output" = TERM ]
	run complete_words altimer --kill-after = 2 5 ls --almost-al
	[ "$output" = "--almost-all" ]
}

@test "fish completes options and signal names" {
	command -v fish >/dev/null || skip "fish is not installed"
	run fish -c "source '$FISH_COMPLETION'; complete -C 'altimer --preserve-s'"
	[[ "$output" == --preserve-status* ]]
	run fish -c "source '$FISH_COMPLETION'; complete -C 'altimer -s KI'"
	[[ "$output" == KILL* ]]
}

@test "the completion scripts parse" {
	bash -n "$BASH_COMPLETION"
	if command -v zsh >/dev/null; then zsh -n "$ZSH_COMPLETION"; fi
	if command -v fish >/dev/null; then fish -n "$FISH_COMPLETION"; fi
}
