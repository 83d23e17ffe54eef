/* child.c - starting COMMAND, holding it by a pidfd, signalling and reaping it.
 *
 * The pidfd is taken right after the clone, before altimer could possibly reap
 * the child, so it always refers to COMMAND and never to a recycled PID.
 * When the kernel or a sandbox refuses pidfds (ENOSYS, EPERM), kill() on the
 * un-reaped child is equally safe: the PID cannot be reused until altimer
 * itself reaps it. */
#include "config.h"
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "pidref.h"
#include "procfs.h"
#include "spawn.h"
#include "util.h"

/* What the child writes on the exec pipe when it ends itself before its
 * exec, the deadline passed: no errno. */
#define CHILD_DEADLINE_PASSED (-1)

/* Until its exec COMMAND is a copy of altimer, and a deadline that comes
 * then ends it with 128+N, as GNU's handler in its child does: whatever
 * the signal's default action (URG, WINCH and CONT would otherwise be
 * ignored, and COMMAND run after its deadline).  exec resets the handler. */
__attribute__((no_sanitize("address"), no_sanitize("undefined"))) static void
exit_before_exec(int sig)
{
	/* KILL cannot be caught: GNU's child dies of it. */
	if (sig == SIGKILL)
		(void)kill(getpid(), SIGKILL);
	_exit(128 + sig);
}

/* Without the exec pipe (no descriptor left for it: only in a forked
 * child), the child says itself why COMMAND did not run. */
__attribute__((noinline, cold)) static void say_exec_failed(const char *name, int error)
{
	char quoted[4096];

	diag_errno(error, "failed to run command %s", diag_quote(name, quoted, sizeof quoted));
}

/* In the child, between fork and exec: only async-signal-safe calls.  Not
 * instrumented: on the stack spawn_shared gives it (clone's CLONE_VM) the
 * sanitizers would take it for one of altimer's.  Its frame stays small
 * (the message of a failed exec is formed in a function of its own): what
 * it and execvp touch of that stack counts in altimer's memory. */
__attribute__((no_sanitize("address"), no_sanitize("undefined"))) static _Noreturn void
child_exec(const struct spawn_plan *plan, int error_fd, bool move_self)
{
	int error = 0;

	/* Not put in its cgroup by its clone (clone3 refused by a sandbox or
	 * an old kernel, or no clone3 start for this architecture): COMMAND
	 * moves itself in before it can run or fork anything. */
	if (move_self) {
		int fd = openat(plan->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			error = errno;
			(void)write_all(error_fd, &error, sizeof error);
			_exit(125);
		}
		close(fd);
	}

	/* If altimer is killed outright (SIGKILL), COMMAND must not live on
	 * unsupervised: it gets the ladder's first signal, as GNU 9.10 sends
	 * its -s signal.  altimer may already be gone by now: compared with
	 * the PID it had, not with 1, this holds under init and under any
	 * subreaper. */
	(void)prctl(PR_SET_PDEATHSIG, plan->death_signal);
	if (getppid() != plan->parent)
		_exit(125);
	if (plan->new_group)
		(void)setpgid(0, 0);
	/* Set from both sides, like the group: whichever runs first wins the
	 * race with COMMAND's first read of the terminal. */
	if (plan->new_group && plan->terminal >= 0)
		(void)tcsetpgrp(plan->terminal, getpid());
	relay_child_setup(plan->relay);
	/* What was closed for altimer is closed for COMMAND, as without it. */
	for (int fd = 0; fd <= 2; fd++)
		if (plan->closed_standard_fds & (1u << fd))
			(void)close(fd);
	/* Undo what altimer did only for itself: dispositions such as ignoring
	 * SIGTTOU go back to the caller's.  The mask starts empty: a signal
	 * blocked by whatever started altimer must not make COMMAND deaf to
	 * the timeout's TERM. */
	dispositions_restore(&plan->restore);
	/* Not a stop signal: GNU's child stops on those (they are ignored in
	 * GNU, and given back their default before exec). */
	int sig = plan->death_signal;
	if (sig != SIGTTIN && sig != SIGTTOU && sig != SIGTSTP && sig != SIGCHLD) {
		struct sigaction before_exec = { .sa_handler = exit_before_exec };
		(void)sigaction(sig, &before_exec, NULL);
		/* A deadline that has passed already (1e-9) would reach COMMAND
		 * before its exec, did altimer not have more to do than GNU
		 * between the fork and the signal: COMMAND never runs, every
		 * time, as under GNU almost every time. */
		struct timespec now;
		if (sig != 0 && plan->has_deadline &&
		    clock_gettime(plan->deadline_clock, &now) == 0 &&
		    (now.tv_sec > plan->deadline.tv_sec ||
		     (now.tv_sec == plan->deadline.tv_sec && now.tv_nsec >= plan->deadline.tv_nsec))) {
			/* The timer's expiry can reach altimer after this end
			 * (its interrupt late on a busy VM): said first, so the
			 * end is read as the timeout it is, not as an exit of
			 * 128+N in time. */
			int passed = CHILD_DEADLINE_PASSED;
			if (error_fd >= 0)
				(void)write_all(error_fd, &passed, sizeof passed);
			exit_before_exec(sig);
		}
	}
	sigset_t empty;
	sigemptyset(&empty);
	(void)sigprocmask(SIG_SETMASK, &empty, NULL);

	execvp(plan->argv[0], plan->argv);
	error = errno;
	if (error_fd >= 0)
		(void)write_all(error_fd, &error, sizeof error);
	else
		say_exec_failed(plan->argv[0], error);
	_exit(error == ENOENT ? 127 : 126);
}

static int child_started(struct child *child, const struct spawn_plan *plan);

/* The new process's side of spawn_shared: it runs on a stack of its own
 * in altimer's memory, with altimer stopped until its exec.  Under a
 * cgroup that its clone did not put it in, it moves itself in before
 * anything of COMMAND runs. */
struct child_start {
	const struct spawn_plan *plan;
	int error_fd;
	bool moved;			/* written by spawn_shared */
};

__attribute__((no_sanitize("address"), no_sanitize("undefined"))) static int
child_start(void *arg)
{
	const struct child_start *start = arg;

	child_exec(start->plan, start->error_fd, start->plan->cgroup_fd >= 0 && !start->moved);
}

int child_spawn(struct child *child, const struct spawn_plan *plan)
{
	int pipe_fds[2];
	int r;

	*child = (struct child){ .pid = -1, .handle = PIDREF_NONE, .exec_pipe = -1 };
	/* Close-on-exec: a successful exec closes the write end, so the parent
	 * reads EOF; a failed exec writes errno first. */
	/* Out of descriptors (a tiny RLIMIT_NOFILE, which GNU runs under):
	 * without the pipe the child says itself why exec failed, and its
	 * 126 or 127 is the status, as under GNU. */
	if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
		if (errno != EMFILE && errno != ENFILE)
			return -errno;
		pipe_fds[0] = pipe_fds[1] = -1;
	}

	bool moved;
	/* With the exec pipe (a failed exec is told through it, with nothing
	 * written to stderr from the child), COMMAND starts sharing memory. */
	if (pipe_fds[1] >= 0) {
		struct child_start start = { plan, pipe_fds[1], false };
		child->pid = spawn_shared(child_start, &start, plan->argv, plan->cgroup_fd,
					  &start.moved);
		if (child->pid < 0) {
			r = -errno;
			close_quietly(pipe_fds[0]);
			close_quietly(pipe_fds[1]);
			return r;
		}
		close_quietly(pipe_fds[1]);
		child->exec_pipe = pipe_fds[0];
		return child_started(child, plan);
	}
	child->pid = spawn_raw(plan->cgroup_fd, &moved);
	if (child->pid < 0) {
		r = -errno;
		close_quietly(pipe_fds[0]);
		close_quietly(pipe_fds[1]);
		return r;
	}
	if (child->pid == 0) {
		close_quietly(pipe_fds[0]);
		child_exec(plan, pipe_fds[1], plan->cgroup_fd >= 0 && !moved);
	}
	close_quietly(pipe_fds[1]);
	child->exec_pipe = pipe_fds[0];
	return child_started(child, plan);
}

/* The parent's side, once COMMAND is started. */
static int child_started(struct child *child, const struct spawn_plan *plan)
{
	int r;

	/* Set the group from both sides so signals sent to the group right
	 * after fork already reach the child (EACCES once it has exec'd). */
	if (plan->new_group) {
		(void)setpgid(child->pid, child->pid);
		child->own_group = true;
		if (plan->terminal >= 0)
			(void)tcsetpgrp(plan->terminal, child->pid);
	}

	/* Before anything could reap the child: the pidfd is COMMAND's.
	 * Without a descriptor for it, kill() on the un-reaped child is as
	 * safe, and SIGCHLD says when it ends, as on the fallback path. */
	r = pidref_open(&child->handle, child->pid);
	if (r == -EMFILE || r == -ENFILE)
		r = 0;
	if (r < 0) {
		(void)kill(child->pid, SIGKILL);
		return r;
	}
	/* A limit's first signal reads COMMAND's stat: found now, while
	 * COMMAND starts, not then.  A tiny descriptor limit keeps its
	 * descriptors for what the run needs. */
	if (!few_descriptors())
		procfs_hold(child->pid);
	return 0;
}

int child_exec_result(struct child *child)
{
	int error = 0;
	ssize_t n = read_retry(child->exec_pipe, &error, sizeof error);

	close_quietly(child->exec_pipe);
	child->exec_pipe = -1;
	if (n == (ssize_t)sizeof error && error == CHILD_DEADLINE_PASSED) {
		child->deadline_before_exec = true;
		return 0;
	}
	return n == (ssize_t)sizeof error ? error : 0;
}

int child_signal(struct child *child, int sig, bool to_group)
{
	bool group = to_group && child->own_group;
	int r = 0;

	if (child->reaped)
		return -ESRCH;
	if (group)
		r = pidref_signal(&child->handle, sig, true);
	/* A command that left its group (setpgid, setsid) is missed by the
	 * group signal, so it gets its own, as GNU timeout does. */
	if (!group || getpgid(child->pid) != child->pid)
		r = pidref_signal(&child->handle, sig, false);
	return r;
}

int child_check_stopped(struct child *child)
{
	siginfo_t info;
	int r;

	if (child->reaped)
		return 0;
	/* WSTOPPED without WEXITED: this never reaps. */
	r = pidref_wait(&child->handle, &info, WSTOPPED | WNOHANG, NULL);
	if (r < 0)
		return r;
	return info.si_pid != 0 && info.si_code == CLD_STOPPED ? info.si_status : 0;
}

int child_try_reap(struct child *child)
{
	siginfo_t info;
	int r;

	if (child->reaped)
		return 1;
	r = pidref_wait(&child->handle, &info, WEXITED | WNOHANG, &child->usage);
	if (r < 0)
		return r;
	if (info.si_pid == 0)
		return 0;
	child->reaped = true;
	procfs_release();
	child->si_code = info.si_code;
	child->status = info.si_status;
	return 1;
}
