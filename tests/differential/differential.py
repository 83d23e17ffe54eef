#!/usr/bin/env python3
"""Differential test: altimer against GNU timeout on random command lines.

A seeded generator writes command lines from a small grammar of what GNU
timeout users type: options in every spelling GNU 9.1 takes (short, long,
abbreviated, glued, --NAME=VALUE, in any order, repeated), durations in
every form (integers, decimals, exponents, hex floats, units, blanks),
signals by name, number, case and real-time offset, commands that exit,
sleep, trap, ignore, kill themselves, print, don't exist or can't run;
signals sent from outside while they run, and dispositions ignored at the
start.  Each line runs through GNU timeout and through altimer, both
invoked as "timeout" under LC_ALL=C, and the outcomes are compared: exit
status or death signal, stdout, stderr byte for byte, and the elapsed time
(with a generous margin: a busy machine may delay either).

A case that differs is run again (RETRIES times) to rule out timing; only
one that differs every time counts.  It is then shrunk (options, the
outside signal, the ignored dispositions dropped one by one while it still
differs) and printed with both outcomes.  The known differences, each
documented in the man page's DIFFERENCES FROM GNU TIMEOUT or newer GNU
behaviour (9.2 to 9.11) that altimer follows, are listed in KNOWN below
and filtered out or not generated.

The test suite runs a few hundred cases (tests/differential.bats).  A longer
run, with any seed, is one command:

    tests/differential/differential.py --cases 2000 --seed 12345

Options: --cases N, --seed S (default: random, printed), --only I (just case
I of that seed, with its command line), --jobs J (cases run at once),
--altimer PATH, --gnu PATH, --list (print the command lines, run nothing).
Exit status 0 when nothing unexplained differs, 1 otherwise.
"""

import argparse
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

RETRIES = 3          # runs after the first, all of which must differ too
HARD_LIMIT = 30.0    # seconds before a run counts as a hang (and is KILLed)
OUTSIDE_AT = 0.2     # when a signal from outside is sent, in seconds

# --- Known differences ------------------------------------------------------
#
# Each is either not generated (the generator leaves it out) or filtered out
# of the comparison (normalize()/known_case()), with its reason:
#
# Documented in the man page (DIFFERENCES FROM GNU TIMEOUT):
#  - "missing operand" / "missing operand after 'X'": altimer says what is
#    missing before GNU's Try line, where GNU prints the Try line alone.
#    Filtered: that one line of altimer's is dropped.
#  - altimer's own duration syntax (ms, us, ns, 1h30m) and its own options:
#    not generated, GNU refuses them; but a DURATION such as -inf is taken
#    for altimer's -i (--keepalive) where GNU has no -i.  Filtered.
#  - -s ALRM with -k: GNU 9.1 ignores its own KILL timer once it has sent
#    ALRM to its group; altimer reaches KILL.  Not generated.
#  - -s STOP and -s CHLD: GNU never exits.  Not generated.
#  - -v -k with a KILL delay too short to measure (1e-9) once the first
#    signal is out: GNU's KILL timer fires inside its handler for the first
#    signal (only the KILL line comes out), or after the command died of
#    that signal (no KILL at all); altimer sends both, in order.  Filtered:
#    known_case().
#  - -v given twice or more is altimer's -vv, which adds its own lines.
#    Filtered: known_case().
#  - USR1/USR2 from outside are passed on without starting the ladder, and
#    altimer passes on every terminating signal (9.10): GNU 9.1 dies of
#    them itself.  Not generated: only HUP, INT, QUIT, TERM and ALRM, which
#    every GNU release handles, are sent from outside.
#  - The command's signal mask starts empty: not generated (no blocked
#    signals at the start).
#
# Newer GNU behaviour (9.2 to 9.11) that altimer follows, where 9.1 differs:
#  - -f and -p as short options (9.11): not generated, long forms only.
#  - signal 0 under -v is "0" (9.10), 9.1 says "EXIT".  Filtered.
#  - 9.10 keeps a signal ignored at the start ignored and unforwarded (but
#    the -s signal and ALRM): 9.1 catches INT, QUIT, HUP and TERM whatever
#    their disposition, so its command gets them back at their default.
#    Filtered: known_case(), when such a signal is sent from outside or the
#    command sends it to itself.
#  - durations too small for a double (1e-400) are 1 ns, and negative ones
#    too small for a double are refused (9.11): not generated.
#  - The parent-death signal is the -s signal (9.10): not observable here.
#
# Races in GNU itself, where its outcome varies from run to run:
#  - A deadline shorter than the command's exec with a signal whose default
#    action lets it go on (URG, WINCH, CONT, and the stops, which are
#    continued): the command never runs if the signal comes before its
#    exec, and runs to its end if after.  Filtered: known_case().
#  - A deadline shorter than a failing exec: GNU's child prints "failed to
#    run command" if it gets there before the signal.  altimer, timed out,
#    says nothing.  Filtered: that line of GNU's is dropped (normalize()).
#  - The same with -p: the status is 128+N when the signal came first, 126
#    or 127 when the exec failed first.  Filtered: known_case().
#  - A deadline shorter than the command's exec: the signal may end the
#    command before its exec, or after it has printed some of its output
#    (a sanitizer build of altimer, slower to start, nearly always ends it
#    first).  Then one tool's output is the start of the other's and, with
#    -p, one status is 128+N and the other the command's own.  Filtered:
#    tiny_race().

GNU_SIGNALS = ["HUP", "INT", "QUIT", "TERM", "ALRM"]
SIGNUM = {name: int(getattr(signal, "SIG" + name)) for name in
          ["HUP", "INT", "QUIT", "KILL", "USR1", "USR2", "ALRM", "TERM",
           "CONT", "TSTP", "TTIN", "TTOU", "WINCH", "URG", "PIPE"]}


class Case:
    """One command line, the signal sent from outside, the dispositions
    ignored at the start."""

    def __init__(self, options, operands, outside=None, ignore=(), timing="none"):
        self.options = options      # (name, value, tokens) per option given
        self.operands = operands    # DURATION, COMMAND, ARG... (maybe none)
        self.outside = outside      # signal name sent at OUTSIDE_AT, or None
        self.ignore = list(ignore)  # signal names ignored at the start
        self.timing = timing        # the DURATION's kind (see duration())

    def argv(self):
        return ["timeout"] + [t for _, _, tokens in self.options for t in tokens] + self.operands

    def shell(self):
        """The case as one shell line a human can paste."""
        line = shlex.join(self.argv())
        if self.ignore:
            traps = "; ".join("trap '' %s" % s for s in self.ignore)
            line = "sh -c %s" % shlex.quote("%s; exec %s" % (traps, line))
        if self.outside:
            line = "%s & sleep %s; kill -%s $!; wait $!" % (line, OUTSIDE_AT, self.outside)
        return line

    def without(self, what, index=None):
        options = list(self.options)
        outside, ignore = self.outside, list(self.ignore)
        if what == "option":
            del options[index]
        elif what == "outside":
            outside = None
        elif what == "ignore":
            del ignore[index]
        return Case(options, list(self.operands), outside, ignore, self.timing)


# --- The grammar ------------------------------------------------------------

def spell_signal(rng, name):
    """A signal as a user may spell it: name, SIG prefix, case, number."""
    number = SIGNUM.get(name)
    forms = [name, "SIG" + name, name.lower(), "sig" + name.lower(), name.capitalize()]
    if number is not None:
        forms += [str(number), str(128 + number), str(256 + number)]
    return rng.choice(forms)


def realtime_signal(rng):
    """RTMIN+n, RTMAX-n and the spellings gnulib's strtol reads."""
    n = rng.randint(0, 4)
    return rng.choice(["RTMIN+%d" % n, "rtmin+%d" % n, "SIGRTMIN+%d" % n, "RTMAX-%d" % n,
                       "RTMIN%d" % n, "RTMIN+0%d" % n, "RTMAX-0", "RTMAX+0", "RTMIN",
                       "RTMAX", "sigrtmax-%d" % n, "RTMIN %d" % n])


def bad_signal(rng):
    return rng.choice(["NOPE", "", "SIG", "32", "33", "65", "-9", "+9", "TERM ", "9x",
                       "RTMIN+31", "RTMAX-31", "RTMIN-1", "RTMIN+", "SIGSIGTERM",
                       "99999999999"])


def deadline_signal(rng):
    """A -s value that ends or stops a sleeping command in a way both
    implementations treat alike (not STOP, CHLD, nor ALRM with -k)."""
    roll = rng.random()
    if roll < 0.55:
        return spell_signal(rng, rng.choice(["TERM", "INT", "HUP", "QUIT", "KILL", "USR1",
                                             "USR2", "ALRM", "PIPE"]))
    if roll < 0.7:
        return realtime_signal(rng)
    if roll < 0.85:
        # Ignored by default or a stop: the command lives on, or is continued.
        return spell_signal(rng, rng.choice(["WINCH", "URG", "CONT", "TSTP", "TTIN", "TTOU"]))
    return spell_signal(rng, "TERM")


def spell_number(rng, seconds):
    """seconds written as GNU's strtod and suffix rule read it."""
    forms = [repr(seconds), "%gs" % seconds, "%.17g" % seconds, " %g" % seconds,
             "%ge0" % seconds if "e" not in "%g" % seconds else "%g" % seconds]
    if seconds and seconds < 1 and "e" not in "%g" % seconds:
        forms.append(("%g" % seconds).lstrip("0"))         # .7
        forms.append("%gm" % (seconds / 60))               # minutes
    if seconds == int(seconds):
        forms += [str(int(seconds)), "%d.0" % seconds, "%ds" % seconds]
    if seconds:
        forms.append(float.hex(seconds))                    # 0x1.666p-1
    return rng.choice(forms)


def duration(rng, kind):
    """A DURATION of a kind: none (0 or longer than any run), tiny (ends the
    command before it runs), mid (ends a sleeping command well after the
    outside signal), bad (refused)."""
    if kind == "none":
        return rng.choice(["0", "0s", "0.0", "0m", "0h", "0d", "00", "0x0", "-0", "30",
                           "1m", "1h", "1d", "1e3", "99999999999", "1e300", "inf", "+30"])
    if kind == "tiny":
        return rng.choice(["1e-9", "1e-10", "0.000000001", "1e-6", "0x1p-30", "1e-9s",
                           "1.5e-8", "1e-300"])
    if kind == "mid":
        return spell_number(rng, rng.choice([1.0, 1.1, 1.2, 1.25]))
    return rng.choice(["xyz", "1x", "-1", "1ss", "s", "", " ", "1 s", "--1", "1e",
                       "0x", "1.2.3", "1mm", "1d1", "nan", "-inf", "1..", "+-1"])


def kill_after(rng):
    """A -k value: mid (KILL before the command's own end), none (never in
    these runs), tiny (at once)."""
    return rng.choice([duration(rng, "none"), spell_number(rng, 0.5), spell_number(rng, 0.6),
                       duration(rng, "tiny")])


LONG = {"signal": "s", "kill-after": "k", "verbose": "v", "foreground": None,
        "preserve-status": None}
# Abbreviations getopt takes for GNU timeout's options (--v is ambiguous).
ABBREVIATIONS = {"signal": ["--s", "--si", "--sig", "--signa"],
                 "kill-after": ["--k", "--ki", "--kill", "--kill-a"],
                 "verbose": ["--verb", "--ve", "--verbos"],
                 "foreground": ["--f", "--fo", "--fore", "--foregroun"],
                 "preserve-status": ["--p", "--pre", "--preserve", "--preserve-s"]}


def option(rng, name, value=None):
    """One option as (name, value, tokens), in one of its spellings."""
    short = LONG[name]
    spellings = ["--" + name] + ABBREVIATIONS[name]
    if value is None:
        if short and rng.random() < 0.4:
            return (name, None, ["-" + short])
        return (name, None, [rng.choice(spellings)])
    roll = rng.random()
    if short and roll < 0.3:
        return (name, value, ["-" + short, value])
    if short and roll < 0.45 and value != "":
        return (name, value, ["-" + short + value])
    if roll < 0.75:
        return (name, value, [rng.choice(spellings) + "=" + value])
    return (name, value, [rng.choice(spellings), value])


def bad_option(rng):
    return ("bad", None, rng.choice([["--bogus"], ["-x"], ["--v"], ["--verbose=1"], ["--foreground=x"],
                       ["-"], ["---x"], ["--sig"], ["-vx"], ["--kill-after"], ["-k"],
                       ["--help=x"], ["--preserve-status=yes"]]))


COMMAND_LONG = "1.6"


def command(rng, sig_for_self):
    """COMMAND and its arguments, and whether it runs long (past 'mid')."""
    long_sleep = rng.choice(["2.4", "2.5", "2.6"])
    kind = rng.choice(["exit", "exit", "sleep", "sleep", "trap", "trap", "self", "print",
                       "missing", "noexec", "print-sleep"])
    if kind == "exit":
        return rng.choice([["true"], ["false"], ["sh", "-c", "exit %d" % rng.choice(
            [0, 1, 3, 124, 125, 126, 127, 128, 137, 143, 255])]]), False
    if kind == "sleep":
        return ["sleep", long_sleep], True
    if kind == "trap":
        sigs = " ".join(rng.sample(["TERM", "INT", "HUP", "QUIT", "USR1", "ALRM"],
                                   rng.randint(1, 3)))
        action = rng.choice(["''", "'echo caught; exit 3'", "'echo caught'"])
        return ["sh", "-c", "trap %s %s; sleep %s; echo done" % (action, sigs, long_sleep)], True
    if kind == "self":
        return ["sh", "-c", "kill -%s $$; echo alive" % sig_for_self], False
    if kind == "print":
        return ["sh", "-c", "echo out; echo err >&2; exit %d" % rng.choice([0, 2])], False
    if kind == "missing":
        return [rng.choice(["/nonexistent/cmd", "no-such-command-xyz", "./missing"])], False
    if kind == "noexec":
        return [rng.choice(["/etc/passwd", "/", "/dev/null"])], False
    return ["sh", "-c", "echo start; sleep %s; echo end" % long_sleep], True


def generate(rng):
    """One case of the grammar."""
    options = []
    error = rng.random() < 0.12
    used = set()
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        # Each option as likely as the others: -v, which changes what is
        # compared on stderr, must not crowd out the rest.
        name = rng.choice(["signal", "kill-after", "verbose", "foreground",
                           "preserve-status"])
        used.add(name)
        if name == "signal":
            options.append(option(rng, name, deadline_signal(rng)))
        elif name == "kill-after":
            options.append(option(rng, name, kill_after(rng)))
        else:
            options.append(option(rng, name))
    # -vk1 style: flags and a valued option in one word.
    if rng.random() < 0.1:
        glued = rng.choice(["k", "s", "v"])
        if glued == "v":
            options.append(("verbose", None, ["-vv"]))
        elif glued == "k":
            value = kill_after(rng)
            options.append(("kill-after", value, rng.choice([["-vk" + value], ["-vk", value]])))
        else:
            value = deadline_signal(rng)
            options.append(("signal", value, rng.choice([["-vs" + value], ["-vs", value]])))
    rng.shuffle(options)
    if error:
        where = rng.random()
        if where < 0.3:
            options.insert(rng.randint(0, len(options)), bad_option(rng))
        elif where < 0.55:
            options.append(option(rng, "signal", bad_signal(rng)))
        elif where < 0.7:
            options.append(option(rng, "kill-after", duration(rng, "bad")))
    # The ambiguous -k tiny / -v / outside case and -s ALRM -k are known.
    timing = rng.choice(["none", "none", "tiny", "mid", "mid"])
    if error and rng.random() < 0.4:
        timing = "bad"
    dur = duration(rng, timing)
    outside = rng.choice(GNU_SIGNALS) if rng.random() < 0.3 else None
    self_sig = rng.choice(["TERM", "INT", "HUP", "QUIT", "USR1", "KILL", "ALRM"])
    cmd, runs_long = command(rng, self_sig)
    # From outside only while the command surely runs: not around its own
    # end, nor a deadline's.
    if not runs_long or timing not in ("none", "mid"):
        outside = None
    operands = [dur] + cmd
    if rng.random() < 0.1:
        operands = ["--"] + operands
    if error and rng.random() < 0.15:
        operands = operands[:rng.randint(0, 1)]      # missing operands
    ignore = []
    if rng.random() < 0.25:
        ignore = rng.choice([["TERM"], ["HUP"], ["INT", "QUIT"], ["HUP", "TERM"], ["ALRM"],
                             ["INT"], ["USR1"]])
    return Case(options, operands, outside, ignore, timing)


def given(case, name):
    """The value of the last option name (as getopt keeps it), or None."""
    values = [value for option, value, _ in case.options if option == name]
    return values[-1] if values else None


def signal_given(case):
    """The -s signal's number, as both read it (15 without -s, None when
    it is no plain name or number)."""
    sig = given(case, "signal")
    if sig is None:
        return 15
    text = sig.upper()
    for name in [text, text[3:] if text.startswith("SIG") else None]:
        if name in SIGNUM:
            return SIGNUM[name]
    if text.isdigit():
        n = int(text)
        return n & (0xFF if n >= 0xFF else 0x7F)
    return None


TINY = ("1e-", "0x1p-30", "0.000000001", "1.5e-8")


def preserves(case):
    """Whether --preserve-status is given, in any spelling."""
    return given(case, "preserve-status") is not None or any(
        option == "preserve-status" for option, _, _ in case.options)


def known_case(case):
    """Why a generated case is a known difference, or None."""
    command_text = " ".join(case.operands[1:])
    # 9.10: a signal ignored at the start stays ignored (not the -s one).
    number = signal_given(case)
    for name in case.ignore:
        if name == "ALRM" or SIGNUM[name] == number:
            continue
        if case.outside == name or ("kill -%s " % name) in command_text:
            return "9.10: %s ignored at the start stays ignored" % name
    delay = given(case, "kill-after")
    # -v twice or more is altimer's -vv, with lines of its own (man page).
    verbose = sum(2 if tokens == ["-vv"] else 1 for option, _, tokens in case.options
                  if option == "verbose" or tokens[0].startswith(("-vk", "-vs")))
    if verbose >= 2:
        return "-vv adds altimer's own lines (man page)"
    # A KILL delay too short to measure races with the command's death by
    # the first signal: GNU's KILL timer fires inside its handler or after
    # the command is reaped, altimer's as the loop reads it (man page).
    if delay is not None and any(t in delay for t in TINY) and (
            case.outside or case.timing in ("tiny", "mid")):
        return "-k tiny races with the first signal (man page)"
    # -p, a deadline shorter than COMMAND's exec and a COMMAND that cannot
    # run: its status is 128+N when the signal came before its exec, 126 or
    # 127 when its exec failed first.  A race in both; GNU's child, slower
    # to fail, loses it more often.
    if preserves(case):
        operands = case.operands[1:] if case.operands[:1] == ["--"] else case.operands
        if case.timing == "tiny" and len(operands) > 1 and \
                operands[1].startswith(("/", ".", "no-such")):
            return "-p with a deadline before a failed exec: a race"
    # A tiny deadline and a signal whose default action is to go on (URG,
    # WINCH, CONT): the command never runs when the signal comes before
    # its exec (GNU's handler, and altimer's, end it with 128+N), and runs
    # to its end when it comes after.  A race in GNU itself.
    if case.timing == "tiny" and number in (SIGNUM["URG"], SIGNUM["WINCH"], SIGNUM["CONT"],
                                            SIGNUM["TSTP"], SIGNUM["TTIN"], SIGNUM["TTOU"]):
        return "a tiny deadline and a signal that lets the command go on: a race"
    # altimer's own short option -i (--keepalive) where GNU has none: a
    # DURATION such as -inf is an option to both.
    if case.operands[:1] and case.operands[0].startswith("-i"):
        return "altimer's own -i (--keepalive) (man page)"
    # -s ALRM with -k (man page).
    if number == SIGNUM["ALRM"] and delay is not None:
        return "-s ALRM -k (man page)"
    return None


# --- Running and comparing --------------------------------------------------

class Outcome:
    def __init__(self, status, stdout, stderr, elapsed):
        self.status, self.stdout, self.stderr, self.elapsed = status, stdout, stderr, elapsed

    def describe(self):
        if self.status == "hang":
            how = "still running after %gs" % HARD_LIMIT
        elif self.status < 0:
            how = "died of %s" % signal.Signals(-self.status).name
        else:
            how = "exit %d" % self.status
        return "%s after %.2fs\n      stdout %r\n      stderr %r" % (
            how, self.elapsed, self.stdout.decode(errors="replace"),
            self.stderr.decode(errors="replace"))


def run(case, program, workdir):
    """Run case with program as "timeout"; its Outcome."""
    env = dict(os.environ, LC_ALL="C", LANGUAGE="C")
    env.pop("ALTIMER_DEADLINE", None)
    argv = case.argv()
    if case.ignore:
        args = ["perl", "-e",
                'my $p = shift; $SIG{$_} = "IGNORE" for split / /, shift; '
                'exec { $p } @ARGV or exit 127', program, " ".join(case.ignore)] + argv
        executable = None
    else:
        args, executable = argv, program
    start = time.monotonic()
    proc = subprocess.Popen(args, executable=executable, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=workdir, process_group=0)
    if case.outside:
        handle = os.pidfd_open(proc.pid)
        timer = threading.Thread(target=send_outside, args=(proc.pid, handle,
                                                            SIGNUM[case.outside], start))
        timer.start()
    try:
        stdout, stderr = proc.communicate(timeout=HARD_LIMIT)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        status = "hang"
    elapsed = time.monotonic() - start
    if case.outside:
        timer.join()
        os.close(handle)
    return Outcome(status, stdout, stderr, elapsed)


def command_runs(pid):
    """Whether the timeout pid has a child that has exec'd its command (not
    one still running the timeout's binary, nor altimer's guardian).  False
    when pid is gone."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            children = f.read().split()
    except OSError:
        return None
    for child in children:
        try:
            with open("/proc/%s/comm" % child) as f:
                if f.read().strip() not in ("timeout", "altimer", "altimer-guard", "perl"):
                    return True
        except OSError:
            pass
    return False


def send_outside(pid, handle, sig, start):
    """Send sig at OUTSIDE_AT, but not before the command runs (a busy
    machine may take longer to start it): before its exec, GNU's command
    (and altimer's) ends with 128+N, which is no test of passing it on.
    Through a pidfd, so never to another process that took the PID."""
    seen = None
    while True:
        runs = command_runs(pid)
        if runs is None:
            return
        if runs and seen is None:
            seen = time.monotonic()
        # And the command has had a moment to run its first line.
        if runs and time.monotonic() >= max(start + OUTSIDE_AT, seen + 0.15):
            break
        time.sleep(0.005)
    try:
        signal.pidfd_send_signal(handle, sig)
    except ProcessLookupError:
        pass


def normalize(case, ours, gnu):
    """Filter the documented differences out of the stderr texts."""
    ours_err, gnu_err = ours.stderr, gnu.stderr
    lines = ours_err.split(b"\n")
    # altimer says what is missing before GNU's lone Try line.
    if lines and lines[0].startswith(b"timeout: missing operand") and \
            gnu_err.startswith(b"Try 'timeout --help'"):
        ours_err = b"\n".join(lines[1:])
    # 9.10 prints signal 0 as 0, 9.1 as EXIT.
    gnu_err = gnu_err.replace(b"sending signal EXIT to", b"sending signal 0 to")
    # A deadline shorter than a failing exec: GNU's child may get as far as
    # its message before the signal, or not (a race in GNU itself); altimer
    # says nothing once it has timed out.
    if case.timing == "tiny":
        gnu_err = gnu_err.replace(b"timeout: timeout: ", b"timeout: ")
    if case.timing == "tiny" and b"timeout: failed to run command" not in ours_err:
        gnu_err = b"".join(line for line in gnu_err.splitlines(True)
                           if not line.startswith(b"timeout: failed to run command"))
    return ours_err, gnu_err


def differences(case, ours, gnu):
    """What differs between two outcomes, as a list of words."""
    found = []
    if ours.status != gnu.status:
        found.append("status")
    if ours.stdout != gnu.stdout:
        found.append("stdout")
    ours_err, gnu_err = normalize(case, ours, gnu)
    if ours_err != gnu_err:
        found.append("stderr")
    if found and tiny_race(case, ours, gnu, ours_err, gnu_err):
        found = []
    # A tiny deadline: GNU's TERM reaches its child before the exec or, on
    # a busy machine, after the command has started a child that outlives
    # it and holds the output open (a race in GNU itself: 2.6 s against
    # altimer's 0.00 in a CI run on 2026-12-07); altimer's command checks
    # the deadline before its exec.  Faster then is no difference.
    if times_differ(ours.elapsed, gnu.elapsed) and not (
            case.timing == "tiny" and ours.elapsed < gnu.elapsed):
        found.append("time")
    return found


def tiny_race(case, ours, gnu, ours_err, gnu_err):
    """A tiny deadline, whose signal came before one tool's command ran,
    or after it had printed some way: one output is the start of the
    other, and the statuses agree or one of them is a timeout's (124, or
    128+N with -p) where the other is the command's own, which ran to its
    end first (either tool may lose this race; GNU's outcome varies)."""
    if case.timing != "tiny":
        return False

    def starts(a, b):
        return a.startswith(b) or b.startswith(a)

    # What the command wrote to stderr, where it ran, can land inside
    # GNU's -v line, which GNU writes in two parts ("timeout: err\nsending
    # signal ..."): compared without it.
    def own(err):
        return err.replace(b"err\n", b"")

    if not (starts(ours.stdout, gnu.stdout) and starts(own(ours_err), own(gnu_err))):
        return False
    if ours.status == gnu.status:
        return True
    if not all(isinstance(status, int) and status >= 0 for status in (ours.status, gnu.status)):
        return False
    if preserves(case):
        number = signal_given(case)
        timed_out = {128 + number, 128 + SIGNUM["KILL"]} if number else set()
    else:
        timed_out = {124}
    return ours.status in timed_out or gnu.status in timed_out


def times_differ(ours, gnu):
    """Generous: a busy machine may delay either by a good fraction."""
    return abs(ours - gnu) > 0.35 + 0.25 * max(ours, gnu)


class Runner:
    def __init__(self, altimer, gnu):
        self.altimer, self.gnu = altimer, gnu
        self.workdir = tempfile.mkdtemp(prefix="differential.")
        self.runs = 0
        self.lock = threading.Lock()

    def compare_once(self, case):
        """Both at once: the same load for each, and half the wait."""
        with self.lock:
            self.runs += 1
        gnu = {}
        other = threading.Thread(target=lambda: gnu.update(o=run(case, self.gnu, self.workdir)))
        other.start()
        ours = run(case, self.altimer, self.workdir)
        other.join()
        return differences(case, ours, gnu["o"]), ours, gnu["o"]

    def differs(self, case):
        """(what, ours, gnu) when case differs on every try, else None.
        Load only ever adds time: the elapsed times compared are each
        one's fastest run, and the tries are spaced out."""
        fastest_ours = fastest_gnu = float("inf")
        for attempt in range(1 + RETRIES):
            what, ours, gnu = self.compare_once(case)
            if not what:
                return None
            if attempt == 0:
                first = (what, ours, gnu)
            fastest_ours = min(fastest_ours, ours.elapsed)
            fastest_gnu = min(fastest_gnu, gnu.elapsed)
            if what == ["time"] and not times_differ(fastest_ours, fastest_gnu):
                return None
            time.sleep(0.5 * (attempt + 1))
        return first

    def shrink(self, case, found):
        """Drop parts of case while it still differs."""
        changed = True
        while changed:
            changed = False
            candidates = [("outside", None)] if case.outside else []
            candidates += [("ignore", i) for i in range(len(case.ignore))]
            candidates += [("option", i) for i in range(len(case.options))]
            for what, index in candidates:
                smaller = case.without(what, index)
                if known_case(smaller):
                    continue
                result = self.differs(smaller)
                if result:
                    case, found, changed = smaller, result, True
                    break
        return case, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--altimer", default=os.environ.get(
        "ALTIMER", os.path.join(here, "..", "..", "src", "altimer")))
    parser.add_argument("--gnu", default=os.environ.get("GNU_TIMEOUT", "/usr/bin/timeout"))
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    cases = [generate(rng) for _ in range(args.cases)]
    indices = [args.only] if args.only is not None else range(len(cases))
    print("differential: seed %d, %d case%s, altimer %s against %s" % (
        seed, len(indices), "" if len(indices) == 1 else "s", args.altimer, args.gnu),
        flush=True)
    if args.list:
        for i in indices:
            print("%5d  %s%s" % (i, cases[i].shell(),
                                 "   [known: %s]" % known_case(cases[i]) if known_case(cases[i])
                                 else ""))
        return 0

    runner = Runner(os.path.abspath(args.altimer), os.path.abspath(args.gnu))
    # A copy, named altimer: a rebuild during a long run changes nothing.
    copy = os.path.join(runner.workdir, "altimer")
    with open(runner.altimer, "rb") as src, open(copy, "wb") as dst:
        dst.write(src.read())
    os.chmod(copy, 0o755)
    runner.altimer = copy
    known = {}
    mismatches = []
    started = time.monotonic()

    def check(i):
        case = cases[i]
        why = known_case(case)
        if why:
            with runner.lock:
                known[why] = known.get(why, 0) + 1
            return
        found = runner.differs(case)
        if found:
            small, small_found = runner.shrink(case, found)
            with runner.lock:
                mismatches.append((i, case, small, small_found))
                report(seed, i, case, small, small_found)

    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(check, indices))
    finally:
        shutil.rmtree(runner.workdir, ignore_errors=True)
    print("differential: seed %d: %d cases, %d known differences skipped%s, %d runs of "
          "each in %.0fs, %d unexplained mismatch%s" % (
              seed, len(indices), sum(known.values()),
              "".join(" (%d %s)" % (n, why) for why, n in sorted(known.items())) and
              ": " + "; ".join("%d %s" % (n, why) for why, n in sorted(known.items())),
              runner.runs, time.monotonic() - started, len(mismatches),
              "" if len(mismatches) == 1 else "es"), flush=True)
    return 1 if mismatches else 0


def report(seed, index, case, small, found):
    what, ours, gnu = found
    print("\nMISMATCH (seed %d, case %d; --seed %d --only %d to rerun): %s differ%s" % (
        seed, index, seed, index, ", ".join(what), "s" if len(what) == 1 else ""))
    print("  as generated: %s" % case.shell())
    print("  minimal:      %s" % small.shell())
    print("    altimer: %s" % ours.describe())
    print("    GNU:     %s" % gnu.describe(), flush=True)


if __name__ == "__main__":
    sys.exit(main())
