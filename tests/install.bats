#!/usr/bin/env bats
# Where make install puts the man page and the completions: inside the
# prefix, and where each shell on this system looks.  configure runs in a
# copy of the source for each prefix; make install-data installs into a
# DESTDIR; then, as root, a private mount namespace puts the installed
# directories where they would be, and real bash, zsh and fish, started
# without startup files, load altimer's completion from there.

load helpers/common

setup() {
	TMP=$(mktemp -d)
	# A clean environment for each shell, altimer on its PATH (fish
	# loads a completion only for a command it finds).
	mkdir "$TMP/bin"
	ln -s "$(realpath "$ALTIMER")" "$TMP/bin/altimer"
	CLEAN=(env -i "PATH=$TMP/bin:/usr/bin:/bin" "HOME=$TMP")
}

teardown() {
	rm -rf "$TMP"
}

# install_with [CONFIGURE-OPTION]...: configure a copy of the source with
# the options, install its data into $TMP/root, and leave configure's
# output in $TMP/configure.log.
install_with() {
	local src=$TMP/src file
	mkdir -p "$src/man" "$src/src"
	# What configure and the install of data need, with their times, so
	# that make sees nothing to regenerate.
	for file in configure configure.ac Makefile.am Makefile.in aclocal.m4 config.h.in \
		build-aux completions man/altimer.1.in src/main.c; do
		cp -R -p "$ALTIMER_SRCDIR/$file" "$src/$file"
	done
	chmod -R u+w "$src"
	(cd "$src" && ./configure "$@") >"$TMP/configure.log" 2>&1 ||
		{ cat "$TMP/configure.log"; return 1; }
	# make check may run this: the install is a make of its own.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$src" install-data DESTDIR="$TMP/root" >"$TMP/install.log" 2>&1 ||
		{ cat "$TMP/install.log"; return 1; }
}

# installed: every file installed, relative to the root, sorted.
installed() {
	(cd "$TMP/root" && find . -type f | sed 's|^\.||' | sort)
}

# shown SHELL: the directory configure's summary names for SHELL.
shown() {
	sed -n "s/^  $1: *//p" "$TMP/configure.log"
}

# as_installed DIR... -- COMMAND...: run COMMAND in a private mount
# namespace where each DIR (a directory of the real system) is replaced by
# the same directory of the install, as if make install had written there.
as_installed() {
	local binds=()
	while [ "$1" != -- ]; do
		binds+=("$1")
		shift
	done
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m sh -c '
		root=$1; shift
		while [ "$1" != -- ]; do
			mkdir -p "$1" && mount --bind "$root$1" "$1" || exit 99
			shift
		done
		shift
		exec "$@"' sh "$TMP/root" "${binds[@]}" -- "$@"
}

can_mount() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"
}

# The completion each shell, started without startup files, loads for
# altimer: run as COMMAND of as_installed.
BASH_LOADS=(bash --norc --noprofile -c '
	source /usr/share/bash-completion/bash_completion
	__load_completion altimer && complete -p altimer')
# shellcheck disable=SC2016 # expanded by zsh
ZSH_LOADS=(zsh -f -c 'autoload -U compinit && compinit -u -d "$HOME/zcompdump" && print -r -- $_comps[altimer]')
# (--no-config would leave fish_complete_path empty; HOME has no config.)
FISH_LOADS=(fish -c "complete -C 'altimer --preserve-s'")


shells_present() {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	command -v zsh >/dev/null || skip "zsh is not installed"
	command -v fish >/dev/null || skip "fish is not installed"
}

@test "a default install (prefix /usr/local) writes only inside the prefix, and configure says where, expanded" {
	install_with
	run installed
	[ "$output" = "/usr/local/share/bash-completion/completions/altimer
/usr/local/share/fish/vendor_completions.d/altimer.fish
/usr/local/share/man/man1/altimer.1
/usr/local/share/zsh/site-functions/_altimer" ]
	[ "$(shown bash)" = /usr/local/share/bash-completion/completions ]
	[ "$(shown zsh)" = /usr/local/share/zsh/site-functions ]
	[ "$(shown fish)" = /usr/local/share/fish/vendor_completions.d ]
	[ "$(grep -c '\${' "$TMP/configure.log")" -eq 0 ]
}

@test "a default install: bash and zsh load the completions from /usr/local as they are; fish where XDG_DATA_DIRS names /usr/local/share" {
	can_mount
	shells_present
	install_with
	dirs=(/usr/local/share/bash-completion/completions /usr/local/share/zsh/site-functions
		/usr/local/share/fish/vendor_completions.d)
	# Not there before the install: the shells find altimer's completion
	# only because of it.
	for dir in "${dirs[@]}"; do
		[ ! -e "$dir/altimer" ] && [ ! -e "$dir/_altimer" ] && [ ! -e "$dir/altimer.fish" ]
	done
	run as_installed "${dirs[@]}" -- "${CLEAN[@]}" "${BASH_LOADS[@]}"
	[ "$status" -eq 0 ]
	[[ "$output" == *" altimer" ]]
	run as_installed "${dirs[@]}" -- "${CLEAN[@]}" "${ZSH_LOADS[@]}"
	[ "$status" -eq 0 ]
	[ "$output" = _altimer ]
	# Debian's fish searches XDG_DATA_DIRS, or only its own /usr/share
	# where that is unset; desktop sessions (and the XDG default) name
	# /usr/local/share.
	run as_installed "${dirs[@]}" -- "${CLEAN[@]}" XDG_DATA_DIRS=/usr/local/share:/usr/share "${FISH_LOADS[@]}"
	[ "$status" -eq 0 ]
	[[ "$output" == --preserve-status* ]]
}

@test "prefix /usr: every completion where this system's shells look, zsh's where Debian's zsh searches" {
	install_with --prefix=/usr
	run installed
	zsh_dir=/usr/share/zsh/site-functions
	if command -v zsh >/dev/null; then
		# Debian's zsh searches vendor-completions, not site-functions,
		# under /usr; Fedora's and Arch's site-functions.
		if zsh -f -c 'print -l -- $fpath' | grep -q -x -F /usr/share/zsh/vendor-completions &&
			! zsh -f -c 'print -l -- $fpath' | grep -q -x -F /usr/share/zsh/site-functions; then
			zsh_dir=/usr/share/zsh/vendor-completions
		fi
		zsh -f -c 'print -l -- $fpath' | grep -q -x -F "$zsh_dir"
	fi
	[ "$output" = "$(printf '%s\n' /usr/share/bash-completion/completions/altimer \
		/usr/share/fish/vendor_completions.d/altimer.fish /usr/share/man/man1/altimer.1 \
		"$zsh_dir/_altimer" | sort)" ]
	[ "$(shown zsh)" = "$zsh_dir" ]
	[ "$(shown bash)" = /usr/share/bash-completion/completions ]
	[ "$(shown fish)" = /usr/share/fish/vendor_completions.d ]
	[ "$(grep -c '\${' "$TMP/configure.log")" -eq 0 ]
}

@test "prefix /usr: bash, zsh and fish load the installed completions" {
	can_mount
	shells_present
	install_with --prefix=/usr
	mapfile -t dirs < <(installed | grep -v /man/ | xargs -n 1 dirname)
	[ "${#dirs[@]}" -eq 3 ]
	run as_installed "${dirs[@]}" -- "${CLEAN[@]}" "${BASH_LOADS[@]}"
	[ "$status" -eq 0 ]
	[[ "$output" == *" altimer" ]]
	run as_installed "${dirs[@]}" -- "${CLEAN[@]}" "${ZSH_LOADS[@]}"
	[ "$status" -eq 0 ]
	[ "$output" = _altimer ]
	run as_installed "${dirs[@]}" -- "${CLEAN[@]}" "${FISH_LOADS[@]}"
	[ "$status" -eq 0 ]
	[[ "$output" == --preserve-status* ]]
}

@test "--prefix under HOME needs no root and keeps everything inside it" {
	install_with --prefix="$TMP/home/.local"
	run installed
	[ "$(grep -c -v "^$TMP/home/.local/share/" <<<"$output")" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 4 ]
	[ "$(shown zsh)" = "$TMP/home/.local/share/zsh/site-functions" ]
}

@test "libpopt's archive, where installed, is linked in: no libpopt.so to load at each start; --without-static-popt keeps it shared" {
	command -v readelf >/dev/null || skip "readelf is not installed"
	archive="$(pkg-config --variable=libdir popt)/libpopt.a"
	install_with
	if [ -f "$archive" ]; then
		grep -qxF "configure: libpopt: static ($archive)" "$TMP/configure.log"
		run readelf -d "$ALTIMER"
		[ "$status" -eq 0 ]
		[[ "$output" == *"Shared library: [libc.so.6]"* ]]
		[[ "$output" != *"libpopt"* ]]
	else
		grep -qxF "configure: libpopt: shared (libpopt.so)" "$TMP/configure.log"
	fi
	install_with --without-static-popt
	grep -qxF "configure: libpopt: shared (libpopt.so)" "$TMP/configure.log"
}
