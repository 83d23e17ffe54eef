/* status.c - unit test of status_decide(), GNU timeout's exit-status table
 * (src/status.c), row by row; TAP output for make check.  Each row is a
 * way a run can end and what GNU timeout 9.11 gives for it: the status,
 * and the signal altimer must die of instead (0: none). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "status.h"

struct row {
	const char *name;
	struct status_facts facts;
	int status, reraise;
};

#define EXITED(n) .si_code = CLD_EXITED, .status = (n)
#define KILLED(n) .si_code = CLD_KILLED, .status = (n)
#define DUMPED(n) .si_code = CLD_DUMPED, .status = (n)

static const struct row rows[] = {
	{ "COMMAND's own status when it ends in time", { EXITED(0) }, 0, 0 },
	{ "COMMAND's 3 when it ends in time", { EXITED(3) }, 3, 0 },
	{ "COMMAND's own 124 when it ends in time", { EXITED(124) }, 124, 0 },
	{ "a timeout is 124", { EXITED(0), .timed_out = true }, 124, 0 },
	{ "a timeout the command survived by exiting 3 is 124", { EXITED(3), .timed_out = true },
	  124, 0 },
	{ "-p: a timeout gives COMMAND's own status", { EXITED(3), .timed_out = true,
	  .preserve_status = true }, 3, 0 },
	{ "a timeout by TERM is 124", { KILLED(SIGTERM), .timed_out = true }, 124, 0 },
	{ "-p: a timeout by TERM is 128+15, without dying of it",
	  { KILLED(SIGTERM), .timed_out = true, .preserve_status = true }, 128 + SIGTERM, 0 },
	{ "a KILL after the deadline is 137 (as GNU --foreground)",
	  { KILLED(SIGKILL), .timed_out = true }, 137, 0 },
	{ "-p: a KILL after the deadline is 137", { KILLED(SIGKILL), .timed_out = true,
	  .preserve_status = true }, 137, 0 },
	{ "KILL to COMMAND's group: altimer dies of KILL, as GNU does with it",
	  { KILLED(SIGKILL), .timed_out = true, .killed_group = true }, 137, SIGKILL },
	{ "-p and KILL to the group: altimer still dies of KILL",
	  { KILLED(SIGKILL), .timed_out = true, .killed_group = true, .preserve_status = true },
	  137, SIGKILL },
	{ "KILL to the group after COMMAND exited: a timeout, 124",
	  { EXITED(0), .timed_out = true, .killed_group = true }, 124, 0 },
	{ "KILL to the group after COMMAND died of TERM: a timeout, 124",
	  { KILLED(SIGTERM), .timed_out = true, .killed_group = true }, 124, 0 },
	{ "-p and KILL to the group after COMMAND exited: its own status",
	  { EXITED(5), .timed_out = true, .killed_group = true, .preserve_status = true }, 5, 0 },
	{ "COMMAND died of INT with no timeout: altimer dies of INT", { KILLED(SIGINT) },
	  128 + SIGINT, SIGINT },
	{ "COMMAND dumped core of SEGV with no timeout: altimer dies of SEGV", { DUMPED(SIGSEGV) },
	  128 + SIGSEGV, SIGSEGV },
	{ "a timeout by QUIT with a core is 124", { DUMPED(SIGQUIT), .timed_out = true }, 124, 0 },
	{ "COMMAND not found is 127", { .exec_error = ENOENT, EXITED(127) }, 127, 0 },
	{ "COMMAND not runnable is 126", { .exec_error = EACCES, EXITED(126) }, 126, 0 },
	{ "COMMAND a directory is 126", { .exec_error = EISDIR, EXITED(126) }, 126, 0 },
	{ "a deadline before a failed exec is a timeout",
	  { .exec_error = ENOENT, EXITED(127), .timed_out = true }, 124, 0 },
	{ "-p: a deadline before a failed exec still gives 127",
	  { .exec_error = ENOENT, EXITED(127), .timed_out = true, .preserve_status = true },
	  127, 0 },
};

int main(void)
{
	const size_t count = sizeof rows / sizeof rows[0];
	int failed = 0;

	printf("1..%zu\n", count);
	for (size_t i = 0; i < count; i++) {
		int reraise = -1;
		int status = status_decide(&rows[i].facts, &reraise);
		int ok = status == rows[i].status && reraise == rows[i].reraise;

		printf("%s %zu %s\n", ok ? "ok" : "not ok", i + 1, rows[i].name);
		if (!ok) {
			printf("# got status %d, reraise %d; want %d, %d\n", status, reraise,
			       rows[i].status, rows[i].reraise);
			failed = 1;
		}
	}
	return failed;
}
