/* interleave.c - time commands in alternating rounds: each round runs
 * every command once, in an order shuffled afresh each round, so a slow
 * spell of the machine falls on all of them alike (one benchmark run per
 * command, back to back, lets it fall on one).  Shuffled, not rotated: in
 * a rotation each command follows the same one in almost every round, and
 * the work a command leaves behind once it has exited (a helper's clean-up,
 * the kernel's freeing of a cgroup) can fall on that one alone.  The
 * shuffle's seed is fixed: two runs see the same orders.
 *
 *   interleave ROUNDS COMMAND [ARG]... [--- COMMAND [ARG]...]...
 *
 * Prints, per command in the order given, the median, first and third
 * quartile and 99th percentile of its elapsed time in microseconds, tab
 * separated, and the command.  The commands' output goes to /dev/null;
 * ten rounds of warm-up are not counted. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

enum { WARMUP = 10, MAX_COMMANDS = 16 };

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* xorshift64: the shuffle needs no better, and the same orders each run */
static unsigned long long next_random(void)
{
	static unsigned long long state = 0x9e3779b97f4a7c15ull;

	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	char **commands[MAX_COMMANDS];
	double *times[MAX_COMMANDS];
	posix_spawn_file_actions_t quiet;
	int rounds, count = 0, order[MAX_COMMANDS];

	if (argc < 3 || (rounds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: interleave ROUNDS COMMAND [ARG]... [--- COMMAND...]...\n");
		return 2;
	}
	/* The arguments are cut in place at each "---". */
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "---") == 0) {
			argv[i] = NULL;
			continue;
		}
		if (i == 2 || argv[i - 1] == NULL) {
			if (count == MAX_COMMANDS) {
				fprintf(stderr, "interleave: at most %d commands\n", MAX_COMMANDS);
				return 2;
			}
			commands[count] = argv + i;
			times[count] = calloc((size_t)rounds, sizeof **times);
			if (times[count++] == NULL) {
				perror("interleave");
				return 1;
			}
		}
	}
	posix_spawn_file_actions_init(&quiet);
	posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", 1, 0);
	posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", 1, 0);
	for (int k = 0; k < count; k++)
		order[k] = k;
	for (int round = -WARMUP; round < rounds; round++) {
		for (int k = count - 1; k > 0; k--) {
			int j = (int)(next_random() % (unsigned long long)(k + 1)), t = order[k];

			order[k] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < count; k++) {
			int which = order[k], status;
			double start = now_us();
			pid_t pid;

			if (posix_spawn(&pid, commands[which][0], &quiet, NULL, commands[which],
					environ) != 0 ||
			    waitpid(pid, &status, 0) < 0) {
				fprintf(stderr, "interleave: cannot run %s\n", commands[which][0]);
				return 1;
			}
			if (round >= 0)
				times[which][round] = now_us() - start;
		}
	}
	for (int which = 0; which < count; which++) {
		qsort(times[which], (size_t)rounds, sizeof **times, compare);
		printf("%.0f\t%.0f\t%.0f\t%.0f\t", times[which][rounds / 2],
		       times[which][rounds / 4], times[which][3 * rounds / 4],
		       times[which][(99 * rounds + 50) / 100 - 1]);
		for (char **arg = commands[which]; *arg; arg++)
			printf("%s%s", *arg, arg[1] ? " " : "\n");
	}
	return 0;
}
