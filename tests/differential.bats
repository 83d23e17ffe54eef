#!/usr/bin/env bats
# altimer against GNU timeout on random command lines: a seeded run of
# tests/differential/differential.py (its header lists the grammar and the
# known differences).  A longer run with any seed is one command:
#   tests/differential/differential.py --cases 2000 --seed 12345

load helpers/common

@test "300 random command lines: altimer and GNU timeout agree but for the known differences" {
	# A fixed seed by default, so a failure reproduces; ALTIMER_DIFF_SEED
	# picks another.  A mismatch prints its minimal command line and both
	# outcomes.
	run python3 "$ALTIMER_SRCDIR/tests/differential/differential.py" \
		--seed "${ALTIMER_DIFF_SEED:-2026}" --cases 300 --jobs 3 \
		--altimer "$ALTIMER" --gnu "$GNU_TIMEOUT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 unexplained mismatches"* ]]
}
