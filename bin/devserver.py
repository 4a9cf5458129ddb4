#!/usr/bin/env python
"""Run the web server, the Celery worker and Celery beat together, and stop them together (`make run`).

Each process runs in its own session (so its own process group) with its output prefixed by its name.
Ctrl-C (SIGINT) or SIGTERM to this script stops all of them: SIGTERM to each whole group (runserver's
autoreloader and Celery's pool run children), a wait until every process of every group is gone, and
SIGKILL to whatever is left after the grace period; the script returns only once nothing of any group
runs any more. If one process exits on its own, the others are stopped too and its exit status is
returned, so a crashed worker never leaves a web server running without anyone to deliver its
notifications.

    bin/devserver.py [--port 8000] [--grace 10] [--proc NAME=COMMAND ...]

With --proc the given commands replace the default three (used by the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILL_TIMEOUT = 10.0  # seconds for SIGKILLed processes to disappear; reached only if something is broken


def _group_running(pgid: int) -> bool:
    """Whether a process of group `pgid` is still running (zombies, which have exited, do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return True  # no /proc (not Linux): a live group is all we can know
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process went away while we looked
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def default_procs(port: int) -> dict[str, list[str]]:
    python = sys.executable
    # solo pool, no gossip/mingle/heartbeat: one quiet worker that suits SQLite and the file-system broker.
    return {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
    }


class Supervisor:
    def __init__(self, procs: dict[str, list[str]], grace: float = 10.0):
        self.procs = procs
        self.grace = grace
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_requested = threading.Event()
        self.width = max(len(name) for name in procs)
        self.print_lock = threading.Lock()

    def say(self, name: str, line: str) -> None:
        with self.print_lock:
            sys.stdout.write(f"{name:<{self.width}} | {line.rstrip()}\n")
            sys.stdout.flush()

    def _pump(self, name: str, stream) -> None:
        for line in iter(stream.readline, ""):
            self.say(name, line)
        stream.close()

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, command in self.procs.items():
            child = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                start_new_session=True,  # own process group: Ctrl-C reaches us, and we stop them in order
            )
            self.children[name] = child
            threading.Thread(target=self._pump, args=(name, child.stdout), daemon=True).start()
            self.say("*", f"started {name} (pid {child.pid}): {shlex.join(command)}")

    def _on_signal(self, signum, frame) -> None:
        self.stop_requested.set()

    def _signal_groups(self, sig: int) -> None:
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, sig)  # each child leads its group (start_new_session)

    def _running_groups(self) -> set[int]:
        """The groups that still have a running process. Our own children are reaped here (a zombie
        child would keep its group "alive" to killpg); a zombie grandchild, reparented to an init that
        may never reap it, has stopped running and does not count."""
        for child in self.children.values():
            child.poll()
        return {child.pid for child in self.children.values() if _group_running(child.pid)}

    def _wait_for_groups(self, timeout: float) -> set[int]:
        deadline = time.monotonic() + timeout
        while (running := self._running_groups()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return running

    def stop_all(self) -> None:
        self._signal_groups(signal.SIGTERM)
        if self._wait_for_groups(self.grace):
            self.say("*", f"still running after {self.grace:g}s: SIGKILL")
            self._signal_groups(signal.SIGKILL)
            # SIGKILL cannot be caught, but the kernel needs a moment to tear the processes down.
            left = self._wait_for_groups(KILL_TIMEOUT)
            if left:
                self.say("*", f"process groups {sorted(left)} survived SIGKILL")
        for name, child in self.children.items():
            child.wait()
            self.say("*", f"{name} stopped (exit status {child.returncode})")

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        self.start()
        status = 0
        while not self.stop_requested.wait(0.2):
            exited = [(n, c.returncode) for n, c in self.children.items() if c.poll() is not None]
            if exited:
                name, code = exited[0]
                self.say("*", f"{name} exited with status {code}; stopping the others")
                status = code or 1
                break
        else:
            self.say("*", "stopping")
        self.stop_all()
        return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--grace", type=float, default=10.0, help="seconds to wait before SIGKILL")
    parser.add_argument("--proc", action="append", default=[], metavar="NAME=COMMAND")
    args = parser.parse_args(argv)
    if args.proc:
        procs = {}
        for spec in args.proc:
            name, _sep, command = spec.partition("=")
            procs[name] = shlex.split(command)
    else:
        procs = default_procs(args.port)
    return Supervisor(procs, grace=args.grace).run()


if __name__ == "__main__":
    sys.exit(main())
