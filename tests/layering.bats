#!/usr/bin/env bats
# The house's layering, as issue 27 drew it: checks of the sources, not of
# behaviour.  Each prints the lines that break it.

load helpers/common

# The C sources of src/ but those named.
sources_but() {
	local f skip
	for f in "$ALTIMER_SRCDIR"/src/*.c "$ALTIMER_SRCDIR"/src/*.h; do
		for skip in "$@"; do
			[ "${f##*/}" = "$skip" ] && continue 2
		done
		echo "$f"
	done
}

@test "only the containment implementations call the cgroup's functions" {
	# cgroup.[ch] is the cgroup, containment.c the one interface to it.
	mapfile -t files < <(sources_but cgroup.c cgroup.h containment.c)
	[ "${#files[@]}" -gt 10 ]
	run grep -nE '\bcgroup_[a-z_]+\(' "${files[@]}"
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "nothing outside containment.c asks which containment is on" {
	mapfile -t files < <(sources_but containment.c)
	run grep -nE 'uses_cgroup|containment(\.name|->name)? *== *"|strcmp\([^)]*containment' "${files[@]}"
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}

# Calls that start a process, in one C file with its comments stripped
# (the compiler's own preprocessor, told the file is preprocessed already:
# no include is read, no macro expanded): one "file:line" each.
process_starts() {
	gcc -fpreprocessed -dD -E "$1" 2>/dev/null | grep -nE \
		'\b(v?fork|clone3?|__clone2?|posix_spawnp?|system|popen|daemon)\b *\(|\bSYS_clone|__NR_clone' |
		sed "s|^|${1##*/}:|"
}

@test "every process altimer starts is started by spawn.c, but the guardian" {
	mapfile -t files < <(sources_but spawn.c)
	[ "${#files[@]}" -gt 10 ]
	# The check sees what it must: spawn.c forks, clones into a cgroup and
	# clones sharing memory (COMMAND's fast start).
	run process_starts "$ALTIMER_SRCDIR/src/spawn.c"
	[[ "$output" == *"fork()"* && "$output" == *"SYS_clone3"* &&
		"$output" == *"clone(start, "*"CLONE_VM | CLONE_VFORK"* ]] || { echo "$output"; false; }
	starts=$(for f in "${files[@]}"; do process_starts "$f"; done)
	# Kept apart for its reason (a comment there): the CLONE_VM guardian in
	# cgroup.c, once, and nothing else.
	[ "$(grep -c '^cgroup\.c:[0-9]*:.*= clone(guardian_watch,' <<<"$starts")" -eq 1 ] ||
		{ echo "$starts"; false; }
	run grep -vE '^cgroup\.c:[0-9]*:.*= clone\(guardian_watch,' <<<"$starts"
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}
