/* tree.h - the command's whole process tree: finding, signalling, reaping.
 *
 * altimer is the child subreaper of its tree, so every descendant that loses
 * its parent (a double fork, a setsid() daemon) becomes altimer's child
 * instead of init's and can still be found by following parent links. */
#ifndef ALTIMER_TREE_H
#define ALTIMER_TREE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Set aside the descriptors a walk of the tree needs, so a walk works
 * however many altimer has open.  Returns 0 or -errno. */
int tree_reserve_descriptors(void);

/* A child of altimer's own that is no part of the command's tree (the
 * cgroup's guardian): every walk leaves it out.  One at most; 0 for none. */
void tree_exclude(pid_t pid);

/* Make altimer the subreaper of everything it starts.  Returns 0 or -errno. */
int tree_become_subreaper(void);

/* Send sig to every live descendant of altimer except the command itself
 * and the members of except_group (both already signalled through
 * child_signal; 0 for none), each through a process handle (pidref.h).
 * Below a nested timeout (tree_is_supervisor) only KILL is sent.
 * Returns how many processes were signalled, or -errno when the tree could
 * not be read (-EMFILE: out of descriptors). */
int tree_signal(int sig, pid_t except, pid_t except_group, bool thorough);

/* KILL every descendant of the calling process (a subreaper), round after
 * round, until it has no child left: a process whose parent is killed is
 * handed to the caller, so each round reaches one generation further.
 * Everything that dies is reaped, and watched's wait status kept in
 * *watched_status.  Between rounds it sleeps until one of the blocked
 * signals in wake (SIGCHLD) arrives, or 10 ms.  Returns 0 once nothing is
 * left, -ETIMEDOUT after 1000 rounds. */
int tree_kill_until_empty(pid_t watched, int *watched_status, const sigset_t *wake);

/* Whether pid runs a timeout of its own (altimer, GNU or busybox
 * timeout, by its executable): a signal for its command goes to it, which
 * translates it (a nested timeout with its own -s), not past it.  Ask only
 * once pid has exec'd: before, it runs altimer's own binary. */
bool tree_is_supervisor(pid_t pid);

/* How many live (not zombie) descendants altimer has, or -errno.
 *
 * Both functions walk the kernel's children lists, which are quick but may
 * miss a process while it is being reparented; thorough reads every process
 * on the machine instead and misses nothing. */
int tree_count_live(bool thorough);

/* The pids of altimer's descendants, zombies included, parents before
 * their children, in a malloc'ed array in *pids.  Returns how many, or
 * -errno. */
int tree_list(pid_t **pids);

/* Whether altimer has any child left, running or not: a cheap, exact test
 * for "the tree is empty" once COMMAND is reaped. */
bool tree_has_children(void);

/* Reap every exited child of altimer that is not the command: orphans that
 * were handed to altimer as subreaper.  The command itself is left for
 * child_try_reap.  Returns how many were reaped. */
int tree_reap_orphans(pid_t command);

#endif
