/* deny.c - run a command in a seccomp sandbox that refuses some system calls,
 * the way older container runtimes refuse the pidfd calls.
 *
 *   deny ENOSYS|EPERM|EAGAIN|EMFILE SYSCALL... -- COMMAND [ARG]...
 *
 * SYSCALL is one of pidfd_open, pidfd_send_signal, clone3, clone, waitid,
 * signalfd4, timer_create, timerfd_create, pipe2, kcmp; ERRNO also may be EAGAIN or EMFILE.
 *
 * Called through a link named "altimer", with DENY_WRAP="ERRNO SYSCALL...
 * -- PROGRAM" in the environment, deny stands in for PROGRAM: "altimer
 * ARG..." runs "PROGRAM ARG..." in that sandbox (tests/helpers/run-bats
 * --seccomp points ALTIMER at such a link), and PROGRAM does not see
 * DENY_WRAP. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	int number;
} known[] = {
	{ "pidfd_open", SYS_pidfd_open },
	{ "pidfd_send_signal", SYS_pidfd_send_signal },
	{ "clone3", SYS_clone3 },
	{ "waitid", SYS_waitid },
	{ "clone", SYS_clone },
	{ "signalfd4", SYS_signalfd4 },
	{ "timer_create", SYS_timer_create },
	{ "timerfd_create", SYS_timerfd_create },
	{ "pipe2", SYS_pipe2 },
	{ "kcmp", SYS_kcmp },
	{ "ppoll", SYS_ppoll },
	{ "memfd_create", SYS_memfd_create },
};

/* argv from DENY_WRAP's words followed by the real arguments. */
static char **unwrap(const char *wrap, int *argc, char **argv)
{
	static char *words[64];
	static char buf[4096];
	int n = 0;

	snprintf(buf, sizeof buf, "%s", wrap);
	words[n++] = argv[0];
	for (char *w = strtok(buf, " "); w != NULL && n < 40; w = strtok(NULL, " "))
		words[n++] = w;
	for (int k = 1; k < *argc && n < 63; k++)
		words[n++] = argv[k];
	words[n] = NULL;
	*argc = n;
	return words;
}

int main(int argc, char **argv)
{
	struct sock_filter filter[64];
	unsigned int count = 0, error;
	int i = 2, denied = 0;
	const char *wrap = getenv("DENY_WRAP");
	const char *name = strrchr(argv[0], '/');

	name = name ? name + 1 : argv[0];
	if (wrap != NULL && strcmp(name, "altimer") == 0) {
		argv = unwrap(wrap, &argc, argv);
		unsetenv("DENY_WRAP");
	}

	if (argc < 5)
		goto usage;
	if (strcmp(argv[1], "ENOSYS") == 0)
		error = ENOSYS;
	else if (strcmp(argv[1], "EPERM") == 0)
		error = EPERM;
	else if (strcmp(argv[1], "EAGAIN") == 0)
		error = EAGAIN;
	else if (strcmp(argv[1], "EMFILE") == 0)
		error = EMFILE;
	else
		goto usage;

	filter[count++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, nr));
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		size_t k;
		for (k = 0; k < sizeof known / sizeof known[0]; k++)
			if (strcmp(argv[i], known[k].name) == 0)
				break;
		if (k == sizeof known / sizeof known[0] || denied >= 20)
			goto usage;
		filter[count++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			(unsigned int)known[k].number, 0, 1);
		filter[count++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			SECCOMP_RET_ERRNO | (error & SECCOMP_RET_DATA));
		denied++;
	}
	if (i >= argc - 1 || denied == 0)
		goto usage;
	filter[count++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	struct sock_fprog program = { .len = (unsigned short)count, .filter = filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) < 0) {
		perror("deny: seccomp");
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	perror("deny: exec");
	return 127;

usage:
	fprintf(stderr, "usage: deny ENOSYS|EPERM|EAGAIN|EMFILE SYSCALL... -- COMMAND [ARG]...\n");
	return 2;
}
