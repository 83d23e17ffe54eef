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
