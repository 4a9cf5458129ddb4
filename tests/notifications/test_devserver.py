"""`make run`'s supervisor (bin/devserver.py): the three processes start and stop together."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "devserver.py"
TIMEOUT = 20  # seconds; reached only if something is broken


def alive(pid: int) -> bool:
    """Running (a killed process reparented to an init that does not reap it stays a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def sleeper(pidfile: Path, with_grandchild: bool = False) -> str:
    code = (
        "import os, subprocess, sys, time\n"
        "pids = [os.getpid()]\n"
        + (
            "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
            "pids.append(g.pid)\n"
            if with_grandchild
            else ""
        )
        + f"open({str(pidfile)!r}, 'w').write(' '.join(map(str, pids)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    return shlex.join([sys.executable, "-c", code])


def gone(pids: list[int]) -> bool:
    """Whether every pid has stopped running, waiting for it with a deadline: a SIGKILLed process is
    torn down by the kernel a moment after the signal, later still on a loaded machine."""
    deadline = time.monotonic() + TIMEOUT
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_for(path: Path) -> list[int]:
    deadline = time.monotonic() + TIMEOUT
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.02)
    return [int(p) for p in path.read_text().split()]


def supervise(*procs: str, grace: float = 5) -> subprocess.Popen:
    args = [sys.executable, str(SCRIPT), "--grace", str(grace)]
    for proc in procs:
        args += ["--proc", proc]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_every_process(tmp_path, sig):
    web, worker = tmp_path / "web.pid", tmp_path / "worker.pid"
    supervisor = supervise(f"web={sleeper(web, with_grandchild=True)}", f"worker={sleeper(worker)}")
    pids = wait_for(web) + wait_for(worker)
    assert all(alive(p) for p in pids)

    supervisor.send_signal(sig)
    output, _ = supervisor.communicate(timeout=TIMEOUT)

    assert supervisor.returncode == 0, output
    assert gone(pids), output
    assert "web    | ready" in output  # names padded to the longest


def test_a_grandchild_gets_the_grace_period_to_finish_after_sigterm(tmp_path):
    """The group is waited for, not only its leader: a grandchild that cleans up on SIGTERM is not
    SIGKILLed as soon as its parent has exited."""
    pidfile, cleaned = tmp_path / "web.pid", tmp_path / "cleaned"
    grandchild = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        "    time.sleep(0.5)\n"
        f"    open({str(cleaned)!r}, 'w').write('done')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('armed', flush=True)\n"
        "time.sleep(120)\n"
    )
    code = (
        "import os, subprocess, sys, time\n"
        f"g = subprocess.Popen([sys.executable, '-c', {grandchild!r}], stdout=subprocess.PIPE, text=True)\n"
        "g.stdout.readline()\n"  # its handler is installed
        f"open({str(pidfile)!r}, 'w').write(f'{{os.getpid()}} {{g.pid}}')\n"
        "time.sleep(120)\n"
    )
    supervisor = supervise(f"web={shlex.join([sys.executable, '-c', code])}")
    pids = wait_for(pidfile)

    supervisor.send_signal(signal.SIGTERM)
    output, _ = supervisor.communicate(timeout=TIMEOUT)

    assert supervisor.returncode == 0, output
    assert cleaned.read_text() == "done", output
    assert gone(pids), output


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    pidfile = tmp_path / "web.pid"
    code = (
        "import os, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(120)\n"
    )
    supervisor = supervise(f"web={shlex.join([sys.executable, '-c', code])}", grace=0.5)
    pids = wait_for(pidfile)

    supervisor.send_signal(signal.SIGINT)
    output, _ = supervisor.communicate(timeout=TIMEOUT)

    assert supervisor.returncode == 0, output
    assert "still running after 0.5s: SIGKILL" in output
    assert "web stopped (exit status -9)" in output
    assert gone(pids), output


def test_one_process_dying_stops_the_others(tmp_path):
    web = tmp_path / "web.pid"
    crash = shlex.join(
        [
            sys.executable,
            "-c",
            f"import os, sys, time\nwhile not os.path.exists({str(web)!r}): time.sleep(0.02)\nsys.exit(3)",
        ]
    )
    supervisor = supervise(f"web={sleeper(web)}", f"worker={crash}")

    output, _ = supervisor.communicate(timeout=TIMEOUT)

    assert supervisor.returncode == 3, output
    assert "worker exited with status 3" in output
    assert gone(wait_for(web))
