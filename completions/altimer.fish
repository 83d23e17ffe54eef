# fish completion for altimer(1)

# Options whose value may be the next word ("-s TERM", "-vk 5", "--report x").
set -g __altimer_takes_value '^(-[fpv]*[ski]|--(signal|kill-after|keepalive|ladder|every|report|pty|clock|on-timeout|on-timeout-limit|contain|heartbeat|retry|retry-delay|retry-on|budget))$'

# The index in (commandline -opc) of the first word after DURATION, that is
# COMMAND; 0 while DURATION is not typed yet.
function __altimer_command_index
    set -l words (commandline -opc)
    set -l i 2
    while test $i -le (count $words)
        set -l word $words[$i]
        if test "$word" = --
            # The word after "--" is DURATION.
            math $i + 2
            return
        else if string match -rq -- $__altimer_takes_value $word
            set i (math $i + 1)
        else if not string match -q -- '-?*' $word
            math $i + 1
            return
        end
        set i (math $i + 1)
    end
    echo 0
end

# True while the command line has no DURATION yet: only options so far.
function __altimer_no_operand
    test (__altimer_command_index) -eq 0
end

# After DURATION: COMMAND and its own arguments, completed as if COMMAND
# had been typed alone.
function __altimer_complete_command
    set -l words (commandline -opc)
    set -l start (__altimer_command_index)
    set -l line
    # The current word is DURATION, after "--": nothing to offer.
    test $start -gt (math (count $words) + 1); and return
    if test $start -le (count $words)
        # Words fish has unescaped must be escaped again to be re-parsed.
        set line (string escape -- $words[$start..-1])
    end
    complete -C (string join -- ' ' $line (commandline -ct))
end

# Durations people give most, each with what it is.
function __altimer_durations
    printf '%s\t%s\n' 1s 'one second' 10s 'ten seconds' 30s 'thirty seconds' \
        1m 'one minute' 5m 'five minutes' 10m 'ten minutes' 1h 'one hour'
end

# What each signal is, for the descriptions of the names.
function __altimer_signal_description
    switch $argv[1]
        case HUP; echo 'hangup: the terminal or controller went away'
        case INT; echo 'interrupt, as Ctrl-C'
        case QUIT; echo 'quit with a core dump, as Ctrl-\\'
        case KILL; echo 'kill: cannot be caught or ignored'
        case TERM; echo 'terminate politely (the default)'
        case USR1 USR2; echo 'user-defined: a progress line, a log reopen'
        case ALRM; echo 'alarm clock'
        case STOP; echo 'stop: cannot be caught'
        case TSTP; echo 'stop from the terminal, as Ctrl-Z'
        case CONT; echo 'continue if stopped'
        case PIPE; echo 'broken pipe'
        case CHLD; echo 'a child stopped or ended'
        case TTIN TTOU; echo 'background terminal read or write'
        case WINCH; echo 'the window size changed'
        case ILL; echo 'illegal instruction'
        case TRAP; echo 'trace or breakpoint trap'
        case ABRT; echo 'abort, as abort(3)'
        case BUS; echo 'bus error'
        case FPE; echo 'arithmetic error'
        case SEGV; echo 'invalid memory reference'
        case STKFLT; echo 'coprocessor stack fault'
        case URG; echo 'urgent data on a socket'
        case XCPU; echo 'CPU time limit exceeded'
        case XFSZ; echo 'file size limit exceeded'
        case VTALRM; echo 'virtual alarm clock'
        case PROF; echo 'profiling timer expired'
        case POLL; echo 'pollable event'
        case PWR; echo 'power failure'
        case SYS; echo 'bad system call'
        case 'RT*'; echo 'real-time signal'
    end
end

# Signal names as altimer reads them: case does not matter.  After
# "--signal=", fish drops the "--signal=" part when it replaces a match of
# another case (fish issue #3709), so the names are offered in the case
# already typed there.
function __altimer_signals
    set -l names HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS RTMIN RTMAX
    set -l token (commandline -ct)
    if string match -q -- '--signal=*' $token
        set -l value (string replace -- '--signal=' '' $token)
        if test "$value" != (string upper -- "$value")
            set -l n (string length -- "$value")
            for name in $names
                if test (string lower -- (string sub -l $n -- $name)) = (string lower -- $value)
                    printf '%s\t%s\n' $value(string lower -- (string sub -s (math $n + 1) -- $name)) (__altimer_signal_description $name)
                end
            end
            return
        end
    end
    for name in $names
        printf '%s\t%s\n' $name (__altimer_signal_description $name)
    end
end

# --ladder=SIGNAL,DELAY,SIGNAL... and --every=INTERVAL,SIGNAL: after the
# last comma a signal or a duration, by how many commas came before; each
# offered with what is typed up to that comma.
function __altimer_list -a option
    set -l value (string replace -r -- '^--[a-z]+=' '' (commandline -ct))
    set -l head ''
    string match -q -- '*,*' $value; and set head (string replace -r -- ',[^,]*$' ',' $value)
    set -l commas (string length -- (string replace -ra -- '[^,]' '' $head))
    if test $option = ladder -a (math $commas % 2) -eq 0; or test $option = every -a $commas -eq 1
        for name in HUP INT QUIT KILL TERM USR1 USR2 ALRM STOP CONT
            printf '%s%s\t%s\n' $head $name (__altimer_signal_description $name)
        end
    else if test $option = ladder -o $commas -eq 0
        __altimer_durations | string replace -r -- '^([^\t]*)\t(.*)$' "$head\$1,\t\$2"
    end
end

complete -c altimer -f
# DURATION.
complete -c altimer -n __altimer_no_operand -a '(__altimer_durations)'
complete -c altimer -n __altimer_no_operand -s f -l foreground -d "Leave COMMAND in altimer's group, signal only it"
complete -c altimer -n __altimer_no_operand -s i -l keepalive -x -a '(__altimer_durations)' -d 'Time out after this long without output or heartbeat'
complete -c altimer -n __altimer_no_operand -s k -l kill-after -x -a '(__altimer_durations)' -d 'Send KILL this long after the first signal'
complete -c altimer -n __altimer_no_operand -s p -l preserve-status -d "Exit with COMMAND's own status even on timeout"
complete -c altimer -n __altimer_no_operand -s s -l signal -x -a '(__altimer_signals)' -d 'Signal to send at the deadline'
complete -c altimer -n __altimer_no_operand -s v -l verbose -d 'Report each signal sent; twice (-vv) for more'
complete -c altimer -n __altimer_no_operand -l contain -x -a '(printf "%s\t%s\n" auto "cgroup where one can be made, else tree" cgroup "its own cgroup, killed as one" tree "altimer\'s walk of its descendants" group "its process group only, as GNU")' -d "How a timeout reaches COMMAND's tree"
complete -c altimer -n __altimer_no_operand -l group-only -d "At a timeout signal only COMMAND's process group"
complete -c altimer -n __altimer_no_operand -l no-leftovers -d 'When COMMAND ends, KILL what is left of its tree'
complete -c altimer -n __altimer_no_operand -l notify -d 'Serve the sd_notify protocol on NOTIFY_SOCKET'
complete -c altimer -n __altimer_no_operand -l ladder -x -a '(__altimer_list ladder)' -d 'Escalation at a timeout, e.g. INT,5s,TERM,5s,KILL'
complete -c altimer -n __altimer_no_operand -l every -x -a '(__altimer_list every)' -d 'Send a signal every interval, e.g. 10s,USR1'
complete -c altimer -n __altimer_no_operand -l report -r -F -d 'Write what happened as JSON to FILE (- for stderr)'
complete -c altimer -n __altimer_no_operand -l pty -x -a '(printf "%s\t%s\n" auto "where altimer\'s own output is a terminal" always "a pseudo-terminal even for pipes and files" never "plain pipes")' -d "Under --keepalive, give COMMAND's output a pseudo-terminal"
complete -c altimer -n __altimer_no_operand -l clock -x -a '(printf "%s\t%s\n" awake "time suspended does not count, as GNU" boot "time suspended counts")' -d 'Clock of the timers: boot counts time suspended'
complete -c altimer -n __altimer_no_operand -l on-timeout -x -a '(__fish_complete_command)' -d 'At a timeout, run this shell command before the first signal'
complete -c altimer -n __altimer_no_operand -l on-timeout-limit -x -a '(__altimer_durations)' -d 'KILL the --on-timeout command after this long (default 60s)'
complete -c altimer -n __altimer_no_operand -l heartbeat -x -a '(__altimer_durations)' -d 'While COMMAND is silent, a line on stderr every interval'
complete -c altimer -n __altimer_no_operand -l retry -x -a '(printf "%s\t%s\n" 1 "one more attempt" 2 "two more attempts" 3 "three more attempts")' -d 'Run COMMAND again, up to N more times, when it times out'
complete -c altimer -n __altimer_no_operand -l retry-delay -x -a '(__altimer_durations)' -d 'Wait this long before a retry, e.g. 10s,x2 to double it each time'
complete -c altimer -n __altimer_no_operand -l retry-on -x -a '(printf "%s\t%s\n" timeout "retry only a timed-out attempt (the default)" failure "retry any status but 0, a timeout too")' -d 'What --retry runs again'
complete -c altimer -n __altimer_no_operand -l budget -x -a '(__altimer_durations)' -d 'Time all attempts together may take'
complete -c altimer -n __altimer_no_operand -l help -d 'Show the options and exit'
complete -c altimer -n __altimer_no_operand -l version -d 'Show the version and exit'
complete -c altimer -n 'not __altimer_no_operand' -x -a '(__altimer_complete_command)'
