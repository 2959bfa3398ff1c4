#!/usr/bin/env python3
"""Drive a command on a terminal of its own, as a user at a terminal would.

usage: pty-drive.py STEPS COMMAND [ARG...]
STEPS is "|"-separated: "s:SECS" reads the terminal for SECS seconds,
"u:TEXT" reads until TEXT appeared (at most 10 s), "w:TEXT" types TEXT
(Python escapes: \\n, \\x10 for ctrl-p), "k:SIG" sends the command signal
SIG (a number). Then it reads until the command exits (at most 10 s more)
and prints what the terminal showed (without \\r), then "exit=N".
ROWS and COLS in the environment set the terminal's size.
"""
import fcntl, os, pty, select, signal, struct, sys, termios, time

steps, argv = sys.argv[1].split("|"), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
if os.environ.get("ROWS"):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", int(os.environ["ROWS"]), int(os.environ["COLS"]), 0, 0))
out = b""

def read(secs, until=None):
    global out
    end = time.time() + secs
    while time.time() < end:
        if until is not None and until in out:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return False
            if not d:
                return False
            out += d
    return True

for step in steps:
    kind, arg = step.split(":", 1)
    if kind == "s":
        read(float(arg))
    elif kind == "u":
        read(10, arg.encode())
    elif kind == "w":
        os.write(fd, arg.encode().decode("unicode_escape").encode("latin-1"))
    elif kind == "k":
        os.kill(pid, int(arg))
end, st = time.time() + 10, None
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == pid:
        st = status
        break
    read(0.1)
read(0.2)  # what it wrote last
if st is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("\nexit=%s" % ("timeout" if st is None else os.waitstatus_to_exitcode(st)))
