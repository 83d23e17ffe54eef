# fish completion for altimer(1)

set -l __altimer_signals HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS RTMIN RTMAX

# True while the command line has no DURATION yet: only options so far.
function __altimer_no_operand
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for word in $words
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case -s -k -i --signal --kill-after --keepalive --ladder --every --report --pty --clock
                set skip 1
            case '--'
                return 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# After DURATION: complete COMMAND and its own arguments.
function __altimer_complete_command
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    set -l skip 0
    while set -q words[1]
        set -l word $words[1]
        set -e words[1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case -s -k -i --signal --kill-after --keepalive --ladder --every --report --pty --clock
                set skip 1
            case '--'
                set -e words[1]
                break
            case '-*'
            case '*'
                break
        end
    end
    complete -C (string join -- ' ' (string escape -- $words))
end

complete -c altimer -f
complete -c altimer -n __altimer_no_operand -s f -l foreground -d "Leave COMMAND in altimer's group, signal only it"
complete -c altimer -n __altimer_no_operand -s i -l keepalive -x -d 'Time out after this long without output or heartbeat'
complete -c altimer -n __altimer_no_operand -s k -l kill-after -x -d 'Send KILL this long after the first signal'
complete -c altimer -n __altimer_no_operand -s p -l preserve-status -d "Exit with COMMAND's own status even on timeout"
complete -c altimer -n __altimer_no_operand -s s -l signal -x -a "$__altimer_signals" -d 'Signal to send at the deadline'
complete -c altimer -n __altimer_no_operand -s v -l verbose -d 'Report each signal sent; twice (-vv) for more'
complete -c altimer -n __altimer_no_operand -l group-only -d "At a timeout signal only COMMAND's process group"
complete -c altimer -n __altimer_no_operand -l no-leftovers -d 'When COMMAND ends, KILL what is left of its tree'
complete -c altimer -n __altimer_no_operand -l notify -d 'Serve the sd_notify protocol on NOTIFY_SOCKET'
complete -c altimer -n __altimer_no_operand -l ladder -x -d 'Escalation at a timeout, e.g. INT,5s,TERM,5s,KILL'
complete -c altimer -n __altimer_no_operand -l every -x -d 'Send a signal every interval, e.g. 10s,USR1'
complete -c altimer -n __altimer_no_operand -l report -r -F -d 'Write what happened as JSON to FILE (- for stderr)'
complete -c altimer -n __altimer_no_operand -l pty -x -a 'auto always never' -d "Under --keepalive, give COMMAND's output a pseudo-terminal"
complete -c altimer -n __altimer_no_operand -l clock -x -a 'awake boot' -d 'Clock of the timers: boot counts time suspended'
complete -c altimer -n __altimer_no_operand -l help -d 'Show the options and exit'
complete -c altimer -n __altimer_no_operand -l version -d 'Show the version and exit'
complete -c altimer -n 'not __altimer_no_operand' -x -a '(__altimer_complete_command)'
