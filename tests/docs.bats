#!/usr/bin/env bats
# --help, the man page and the shell completions describe the same options.

load helpers/common

# configure writes the man page (version, date) from man/altimer.1.in.
MAN="${ALTIMER_BUILDDIR:-$ALTIMER_SRCDIR}/man/altimer.1"
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

@test "the man page's date and version are configure's, and NEWS names that release" {
	grep -q '@[A-Z_]*@' "$MAN" && { grep '@[A-Z_]*@' "$MAN"; false; }
	read -r _ _ _ date version_word _ <<<"$(grep '^\.TH' "$MAN")"
	[[ $date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]
	version=$("$ALTIMER" --version | sed -n '1s/^altimer //p')
	[ "$version_word" = "\"altimer" ]
	grep -q -F "* Noteworthy changes in release $version ($date)" "$ALTIMER_SRCDIR/NEWS"
}

@test "--version has GNU's form: name and version, copyright, licence, no warranty, authors" {
	run "$ALTIMER" --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^altimer\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ ${lines[1]} =~ ^Copyright\ \(C\)\ 20[0-9][0-9]\ .+\.$ ]]
	[ "${lines[2]}" = "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>." ]
	[ "${lines[3]}" = "This is free software: you are free to change and redistribute it." ]
	[ "${lines[4]}" = "There is NO WARRANTY, to the extent permitted by law." ]
	[[ ${lines[5]} =~ ^Written\ by\ .+\.$ ]]
	# GNU timeout's lines, word for word where they are not about the program.
	gnu=$("$GNU_TIMEOUT" --version)
	grep -q -F -x "${lines[3]}" <<<"$gnu"
	grep -q -F -x "${lines[4]}" <<<"$gnu"
}

@test "COPYING is the licence --version names (GPL version 3)" {
	"$ALTIMER" --version | grep -q 'GPLv3+'
	grep -q -x ' *GNU GENERAL PUBLIC LICENSE' "$ALTIMER_SRCDIR/COPYING"
	grep -q -x ' *Version 3, 29 June 2007' "$ALTIMER_SRCDIR/COPYING"
	[ -s "$ALTIMER_SRCDIR/AUTHORS" ]
}

@test "--help ends with where to report bugs and the home page, as the man page says" {
	run "$ALTIMER" --help
	[ "$status" -eq 0 ]
	n=${#lines[@]}
	# As GNU grep prints them (gnulib's emit_bug_reporting_address).
	[[ ${lines[n - 2]} =~ ^Report\ bugs\ to:\ ([^@\ \<]+@[^\ \>]+)$ ]]
	address=${BASH_REMATCH[1]}
	[[ ${lines[n - 1]} =~ ^altimer\ home\ page:\ \<(https://[^\ ]+)\>$ ]]
	url=${BASH_REMATCH[1]}
	section() { sed -n "/^\\.SH \"\\{0,1\\}$1/,/^\\.SH /p" "$MAN"; }
	section 'REPORTING BUGS' | grep -q -x -F "Report bugs to: $address"
	section 'REPORTING BUGS' | grep -q -x -F "altimer home page: <$url>"
	grep -q -F "$address" "$ALTIMER_SRCDIR/AUTHORS"
}

@test "the man page has the closing sections of a coreutils page" {
	for name in AUTHORS '"REPORTING BUGS"' COPYRIGHT '"SEE ALSO"'; do
		grep -q -x -F ".SH $name" "$MAN" || { echo "no .SH $name"; return 1; }
	done
	see_also=$(sed -n '/^\.SH "SEE ALSO"/,$p' "$MAN")
	for page in 'timeout (1)' 'kill (1)' 'systemd\-run (1)' 'sd_notify (3)'; do
		grep -q -F ".BR $page" <<<"$see_also" || { echo "SEE ALSO lacks $page"; return 1; }
	done
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

@test "scripts/check-dist fails a tarball that lacks a path README.md names" {
	dist="$BATS_TEST_TMPDIR/altimer-x"
	mkdir -p "$dist"
	(cd "$ALTIMER_SRCDIR" && cp -R README.md scripts tests fuzz bench completions man src "$dist/")
	mkdir -p "$dist/.ci" && cp "$ALTIMER_SRCDIR/.ci/run" "$dist/.ci/"
	# make distcheck's source directory is read-only.
	chmod -R u+w "$dist"
	# The source directory is not a git checkout here: only the names count.
	run sh "$ALTIMER_SRCDIR/scripts/check-dist" "$BATS_TEST_TMPDIR" "$dist"
	[ "$status" -eq 0 ]
	rm "$dist/fuzz/run"
	run sh "$ALTIMER_SRCDIR/scripts/check-dist" "$BATS_TEST_TMPDIR" "$dist"
	[ "$status" -ne 0 ]
	grep -q -x 'check-dist: the tarball lacks fuzz/run (named in README.md)' <<<"$output"
}

@test "--help and the man page's -v entry name every level of -v altimer has, and each does what they say" {
	run "$ALTIMER" --help
	[[ "$output" == *"(-vv)"* ]]
	[[ "$output" == *"(-vvv)"* ]]
	entry=$(sed -n '/^\.BR \\-v ", " \\-\\-verbose/,/^\.TP/p' "$MAN")
	grep -q -F '\-vvv' <<<"$entry" || { echo "the -v entry lacks -vvv"; false; }
	# -vvv adds the containment line that -vv does not print.
	run --separate-stderr "$ALTIMER" -vvv --contain=tree 5 true
	[ "$status" -eq 0 ]
	grep -q -x -F "$ALTIMER_NAME: containment: tree (--contain=tree)" <<<"$stderr"
	run --separate-stderr "$ALTIMER" -vv --contain=tree 5 true
	[ "$status" -eq 0 ]
	[[ "$stderr" != *containment* ]]
}

@test "--help names every environment variable of the man page's ENVIRONMENT section" {
	vars=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN" | grep -A1 '^\.TP' | sed -n 's/^\.B \([A-Z_]*\)$/\1/p')
	[ -n "$vars" ]
	grep -q -x ALTIMER_DEADLINE <<<"$vars"
	help=$("$ALTIMER" --help)
	for var in $vars; do
		grep -q -w -F "$var" <<<"$help" || { echo "--help lacks $var"; return 1; }
	done
}
