# fish completion for altimer(1)

# Options whose value may be the next word ("-s TERM", "-vk 5", "--report x").
set -g __altimer_takes_value '^(-[fpv]*[ski]|--(signal|kill-after|keepalive|ladder|every|report|pty|clock|on-timeout|on-timeout-limit|contain|heartbeat))$'

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
                    echo $value(string lower -- (string sub -s (math $n + 1) -- $name))
                end
            end
            return
        end
    end
    printf '%s\n' $names
end

complete -c altimer -f
complete -c altimer -n __altimer_no_operand -s f -l foreground -d "Leave COMMAND in altimer's group, signal only it"
complete -c altimer -n __altimer_no_operand -s i -l keepalive -x -d 'Time out after this long without output or heartbeat'
complete -c altimer -n __altimer_no_operand -s k -l kill-after -x -d 'Send KILL this long after the first signal'
complete -c altimer -n __altimer_no_operand -s p -l preserve-status -d "Exit with COMMAND's own status even on timeout"
complete -c altimer -n __altimer_no_operand -s s -l signal -x -a '(__altimer_signals)' -d 'Signal to send at the deadline'
complete -c altimer -n __altimer_no_operand -s v -l verbose -d 'Report each signal sent; twice (-vv) for more'
complete -c altimer -n __altimer_no_operand -l contain -x -a 'auto cgroup tree group' -d "How a timeout reaches COMMAND's tree"
complete -c altimer -n __altimer_no_operand -l group-only -d "At a timeout signal only COMMAND's process group"
complete -c altimer -n __altimer_no_operand -l no-leftovers -d 'When COMMAND ends, KILL what is left of its tree'
complete -c altimer -n __altimer_no_operand -l notify -d 'Serve the sd_notify protocol on NOTIFY_SOCKET'
complete -c altimer -n __altimer_no_operand -l ladder -x -d 'Escalation at a timeout, e.g. INT,5s,TERM,5s,KILL'
complete -c altimer -n __altimer_no_operand -l every -x -d 'Send a signal every interval, e.g. 10s,USR1'
complete -c altimer -n __altimer_no_operand -l report -r -F -d 'Write what happened as JSON to FILE (- for stderr)'
complete -c altimer -n __altimer_no_operand -l pty -x -a 'auto always never' -d "Under --keepalive, give COMMAND's output a pseudo-terminal"
complete -c altimer -n __altimer_no_operand -l clock -x -a 'awake boot' -d 'Clock of the timers: boot counts time suspended'
complete -c altimer -n __altimer_no_operand -l on-timeout -x -a '(__fish_complete_command)' -d 'At a timeout, run this shell command before the first signal'
complete -c altimer -n __altimer_no_operand -l on-timeout-limit -x -d 'KILL the --on-timeout command after this long (default 60s)'
complete -c altimer -n __altimer_no_operand -l heartbeat -x -d 'While COMMAND is silent, a line on stderr every interval'
complete -c altimer -n __altimer_no_operand -l help -d 'Show the options and exit'
complete -c altimer -n __altimer_no_operand -l version -d 'Show the version and exit'
complete -c altimer -n 'not __altimer_no_operand' -x -a '(__altimer_complete_command)'
