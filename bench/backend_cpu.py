"""The CPU seconds PostgreSQL's backends spend on one database, for the generator's figures in README.md.

    python bench/backend_cpu.py DBNAME OUTFILE &   # then run generate_synthetic on DBNAME

Every 0.5 s it reads utime + stime from /proc of every backend whose process title names DBNAME (the
parent's connection and each worker's, however late they connect), keeps each one's last value after it
exits, and writes the running total (and how many backends it saw) to OUTFILE; it stops once backends
were seen and none has been left for 5 s. Same machine as the server only; parallel maintenance workers
(index builds) are not counted, so the figure is a lower bound when they run.
"""

from __future__ import annotations

import os
import sys
import time


def main(db: str, out: str) -> None:
    tick = os.sysconf("SC_CLK_TCK")
    last: dict[str, float] = {}
    seen, gone = False, 0.0
    while gone < 5:
        alive = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
                if not cmd.startswith(b"postgres: ") or f" {db} ".encode() not in cmd:
                    continue
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                last[pid] = (int(fields[11]) + int(fields[12])) / tick
                alive += 1
            except OSError:  # gone meanwhile
                pass
        seen = seen or alive > 0
        with open(out, "w") as f:
            f.write(f"{sum(last.values()):.1f} {len(last)}\n")
        gone = gone + 0.5 if seen and not alive else 0
        time.sleep(0.5)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
