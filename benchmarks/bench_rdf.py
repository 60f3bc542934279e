"""Loading an N-Quads file into the embedded graph, at two sizes, and writing the neo4j-admin files for it.

The file is `kgloader extract`'s output for a generated corpus (benchmarks/corpus.py); the smaller size is
the first part of its lines (N-Quads lines stand alone). Each command runs as its own `kgloader` process:
its peak memory is that child's max RSS, its CPU time the child's user + system time (trustworthy on a
shared machine, where wall time is not). The embedded FalkorDB server is started here, so its memory
(which grows with the graph, as any database's does) is not counted as kgloader's.

    python benchmarks/bench_rdf.py [--megabytes 27] [--fractions 0.5 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import person_names, write_corpus

MEASURE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
           "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print('RUSAGE', usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr); sys.exit(code)")


def run(*args: str) -> dict[str, float]:
    """One kgloader command, under a wrapper process of its own so that its peak RSS (max over it and its
    workers) is its alone: wall seconds, CPU seconds, peak RSS in MB."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "loader", *args],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(done.stderr)
    _, peak, cpu = done.stderr.strip().splitlines()[-1].split()
    return {"seconds": round(seconds, 1), "cpu": round(float(cpu), 1), "peak_mb": round(int(peak) / 1024, 1)}


def cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (user + system, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=27)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 1.0])
    args = parser.parse_args()
    from loader.graph.falkordb_store import EmbeddedServer

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_corpus(root / "corpus", args.megabytes, person_names(5000))
        whole = root / "whole.nq"
        run("extract", str(root / "corpus"), "-o", str(whole), "-q")
        lines = whole.read_bytes().splitlines(keepends=True)
        print("| triples | file MB | load s (wall) | triples/s (wall) | CPU s kgloader + server | triples/s (CPU) "
              "| kgloader peak RSS | neo4j-admin files s (wall) | CPU s | peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for fraction in sorted(args.fractions):
            data = root / f"part-{fraction}.nq"
            data.write_bytes(b"".join(lines[:int(len(lines) * fraction)]))
            triples = int(len(lines) * fraction)
            home = root / f"graph-{fraction}"
            server = EmbeddedServer(home)
            server.start()
            assert server.process is not None
            try:
                before = cpu_of(server.process.pid)
                loaded = run("load", str(data), "--home", str(home), "-q")
                server_cpu = cpu_of(server.process.pid) - before
            finally:
                server.stop()
            bulk = run("extract", str(data), "--neo4j-admin", str(root / f"admin-{fraction}"), "-q")
            print(f"| {triples:,} | {data.stat().st_size / 1e6:.0f} | {loaded['seconds']} | "
                  f"{triples / loaded['seconds']:,.0f} | {loaded['cpu']} + {server_cpu:.1f} | "
                  f"{triples / (loaded['cpu'] + server_cpu):,.0f} | {loaded['peak_mb']} MB | "
                  f"{bulk['seconds']} | {bulk['cpu']} | {bulk['peak_mb']} MB |", flush=True)


if __name__ == "__main__":
    main()
