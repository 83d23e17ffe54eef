/* launcher.c - the floor for the benchmark: fork, exec, wait, nothing else.
 *   launcher DURATION COMMAND [ARG]...   (DURATION is accepted and ignored,
 *   so the launcher takes the same command line as the timeout tools) */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc < 3)
		return 125;
	pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
