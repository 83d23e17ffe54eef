/* spawn.c - starting every process altimer starts but the guardian
 * (cgroup.c says why): COMMAND, sharing altimer's memory until its exec or
 * by a fork, the hook's keeper and shell, the relay keeper and retry's
 * attempts.
 *
 * One way, so that each gets the same care: the parent's PID is taken
 * before the fork (getppid() afterwards, in the new process, would only
 * compare a value with itself), the parent-death signal is set and then
 * checked against it, and signals stay blocked from before the fork until
 * the new process has the dispositions and the mask it asked for.  (The
 * shared start runs on altimer's memory and does the same itself, with
 * system calls only: child.c's child_exec.) */
#include "config.h"
#include "spawn.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* In the new process, with every signal blocked. */
static void spawn_setup(const struct spawn_options *options, pid_t parent,
			const sigset_t *old_mask)
{
	if (options->name != NULL)
		(void)prctl(PR_SET_NAME, options->name);
	if (options->death_signal != 0) {
		(void)prctl(PR_SET_PDEATHSIG, options->death_signal);
		if (getppid() != parent)
			_exit(options->orphan_status);
	}
	/* Set from both sides: whichever runs first, a signal sent to the
	 * group right after the fork reaches the new process. */
	if (options->new_group)
		(void)setpgid(0, 0);
	if (options->keep_count > 0)
		close_all_but(options->keep, options->keep_count);
	if (options->restore != NULL)
		dispositions_restore(options->restore);
	if (options->defaults != NULL) {
		struct sigaction deflt = { .sa_handler = SIG_DFL };
		for (size_t i = 0; options->defaults[i] != 0; i++)
			(void)sigaction(options->defaults[i], &deflt, NULL);
	}
	(void)sigprocmask(SIG_SETMASK, options->mask ? options->mask : old_mask, NULL);
}

pid_t spawn_fork(const struct spawn_options *options)
{
	pid_t parent = getpid(), pid;
	sigset_t all, old;
	int error;

	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		spawn_setup(options, parent, &old);
		return 0;
	}
	error = errno;
	if (pid > 0 && options->new_group)
		(void)setpgid(pid, pid);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return pid < 0 ? -error : pid;
}

/* clone3 with CLONE_INTO_CGROUP (Linux 5.7): the process is in its cgroup
 * from its first instruction, so nothing it forks can start outside. */
static pid_t clone_into_cgroup(int cgroup_fd)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

pid_t spawn_raw(int cgroup_fd, bool *moved)
{
	pid_t pid;

	*moved = false;
	if (cgroup_fd < 0)
		return fork();
	pid = clone_into_cgroup(cgroup_fd);
	if (pid >= 0) {
		*moved = true;
		return pid;
	}
	/* ENOSYS, EPERM: no clone3 (old kernel, sandbox); E2BIG, EINVAL:
	 * clone3 without CLONE_INTO_CGROUP (Linux < 5.7). */
	if (errno == ENOSYS || errno == EPERM || errno == E2BIG || errno == EINVAL)
		return fork();
	return -1;
}

/* The shared start's stack.  Page-aligned, it takes one page of altimer's
 * memory for a start that needs less (child_exec's frames and execvp's
 * copy of a PATH entry joined to the name). */
static char shared_stack[128 * 1024] __attribute__((aligned(4096)));

#if defined(__x86_64__)
#define HAVE_CLONE3_SHARED 1
/* clone3 sharing memory, start(arg) run in the new process on the stack
 * args gives it.  In assembly, as glibc's own clone: the new process
 * starts on that stack, with no C frame to return into, and leaves by
 * exit with start's value.  The kernel keeps every register but rax, rcx
 * and r11 in both processes: start and arg ride in r12 and r13.  The
 * process's raw result (a PID, or -errno) in the parent. */
__attribute__((no_sanitize("address"), no_sanitize("undefined"))) static long
clone3_shared(struct clone_args *args, int (*start)(void *), void *arg)
{
	register int (*start_reg)(void *) __asm__("r12") = start;
	register void *arg_reg __asm__("r13") = arg;
	long r = SYS_clone3;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "+a"(r)
			 : "D"(args), "S"(sizeof *args), "r"(start_reg), "r"(arg_reg),
			   [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return r;
}
#endif

pid_t spawn_shared(int (*start)(void *), void *arg, char *const argv[], int cgroup_fd,
		   bool *moved)
{
	const char *path = getenv("PATH");
	size_t need = 64 * 1024, argc = 0;
	char *stack = shared_stack;
	pid_t pid = -1;
	int error;

	/* What execvp may put on the stack besides start's own frames: a
	 * copy of argv for a script without #! (run by /bin/sh), and each
	 * PATH entry joined to the name.  Beyond the static stack, a mapping
	 * of its own, as posix_spawn sizes one. */
	while (argv[argc] != NULL)
		argc++;
	need += (argc + 2) * sizeof(char *) + (path ? strlen(path) : 0) + strlen(argv[0]);
	need = (need + 4095) & ~(size_t)4095;
	if (need > sizeof shared_stack) {
		stack = mmap(NULL, need, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED)
			return -1;
	} else {
		need = sizeof shared_stack;
	}
	/* *moved is read by the new process, in this shared memory: set
	 * before each clone. */
	*moved = false;
#ifdef HAVE_CLONE3_SHARED
	/* Into its cgroup by clone3.  A process writing its PID to
	 * cgroup.procs instead takes the cgroups' threadgroup lock for
	 * writing, which waits for an RCU grace period: for every busy CPU
	 * to answer (expedited under rcu_expedited=1, an interrupt to each),
	 * so a CPU held by another task or by the hypervisor holds up the
	 * start.  Refused (no clone3, Linux < 5.7, a seccomp filter, or any
	 * other cause), the clone below, the process moving itself, tells
	 * the cause as before. */
	if (cgroup_fd >= 0) {
		struct clone_args args = {
			.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.stack = (uint64_t)(uintptr_t)stack,
			.stack_size = need,
			.cgroup = (uint64_t)cgroup_fd,
		};
		*moved = true;
		long r = clone3_shared(&args, start, arg);
		if (r > 0)
			pid = (pid_t)r;
		else
			*moved = false;
	}
#else
	(void)cgroup_fd;
#endif
	if (pid < 0)
		pid = clone(start, stack + need, CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
	error = errno;
	if (stack != shared_stack)
		(void)munmap(stack, need);
	errno = error;
	return pid;
}
