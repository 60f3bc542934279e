"""Running a benchmark step as its own process tree: wall time, CPU time and peak memory of that step only.

`measured(command)` runs the command under a small meter process (a fresh Python), which waits for it and
reads RUSAGE_CHILDREN: CPU time of the command and every worker process it waited for, and the peak resident
memory of the largest of them. A server's CPU time is read from /proc for its pid, before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

METER = """
import json, resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": run.returncode, "stdout": run.stdout, "stderr": run.stderr,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}))
"""


@dataclass
class Step:
    seconds: float
    cpu: float  # CPU seconds of the command and its workers
    peak_mb: float  # the largest resident set among them
    server_cpu: float | None  # CPU seconds the server spent meanwhile (None: not known)
    stdout: str
    stderr: str


def process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a running process (and its finished children), from /proc."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # fields after the command: state is [0], utime [11], stime [12], cutime [13], cstime [14]
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def tree_cpu(pid: int | None) -> float | None:
    """CPU seconds of a process and all its living descendants (a server launched through a wrapper)."""
    if pid is None:
        return None
    total = process_cpu(pid) or 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            total += tree_cpu(int(child)) or 0.0
    return total


def measured(command: list[str], server_pid: int | None = None, env: dict[str, str] | None = None) -> Step:
    before = tree_cpu(server_pid)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", METER, *command], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    after = tree_cpu(server_pid)
    if done.returncode != 0:
        sys.exit(f"meter failed: {done.stderr}")
    out = json.loads(done.stdout)
    if out["rc"] != 0:
        sys.exit(f"{' '.join(command)} failed (exit {out['rc']}):\n{out['stderr'][-3000:]}")
    server = None if before is None or after is None else round(after - before, 2)
    return Step(round(seconds, 2), round(out["cpu"], 2), round(out["peak_mb"], 1), server, out["stdout"],
                out["stderr"])


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"
