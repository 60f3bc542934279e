"""Successive batches of new articles into one embedded graph: does a batch cost more as the graph grows?

    python benchmarks/bench_scale.py [--batches 10] [--articles 2000] [--jobs 2]

Each batch is `--articles` new articles (benchmarks/corpus.py, names a generated gazetteer knows, so every
batch adds persons, meetings, letters, positions and mentions, and shares the hub entities: Gaza, the West
Bank, the agency, the most named people) loaded by its own `kgloader load` process into the same graph. The
benchmark starts the embedded server itself, so its memory and CPU are not kgloader's; per batch it prints
wall time, kgloader's CPU time (the process and its workers), the server's CPU time, and kgloader's peak
memory (the largest of its processes). On a shared machine the CPU times are the figures to compare.

A load ends by starting a snapshot of the graph (in a forked server process): the benchmark waits for it
before the next batch, and prints how long it took (whole seconds, as the server counts them) and the server
CPU spent between the load's end and the snapshot's (not in the batch's server CPU). It writes the
whole graph, so it grows with the graph (as does the server's index collector, which lands in some batches:
see the README); in a scheduled run it is done long before the next load. The rules are compiled first,
into a cache of the benchmark's own, and that step is measured on its own: it happens once per edit of the
rules, not per batch.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import rules_with_gazetteer, write_corpus
from benchmarks.measure import load_average, measured, tree_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--aliases", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--home", type=Path, help="keep the graph (and its server running) here afterwards")
    args = parser.parse_args()
    from loader.graph.falkordb_store import EmbeddedServer

    print(f"before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules, names = rules_with_gazetteer(root / "rules", args.aliases)
        home = args.home or root / "graph"
        server = EmbeddedServer(home)
        server.start()
        assert server.process is not None
        client = redis.Redis(unix_socket_path=str(server.socket))
        # the rules compiled into a cache of the benchmark's own, once, before the batches: a cost per edit of
        # the rules (measured here from cold), not per batch
        env = {**os.environ, "KGLOADER_CACHE_DIR": str(root / "cache")}
        warm = measured([sys.executable, "-m", "loader", "rules", "check", str(rules)], env=env)
        print(f"rules compiled and cached (kgloader rules check): {warm.seconds:.1f} s wall, "
              f"peak {warm.peak_mb:.1f} MB", flush=True)
        rows = []
        try:
            for batch in range(args.batches):
                folder = root / f"batch-{batch:02d}"
                write_corpus(folder, 0, names, articles=args.articles, first_index=batch * args.articles)
                step = measured([sys.executable, "-m", "loader", "load", str(folder), "--home", str(home),
                                 "--rules", str(rules), "--jobs", str(args.jobs)], server.process.pid, env)
                summary = re.search(r"new (\d+).*?triples (\d+); graph now (\d+) nodes, (\d+) relationships",
                                    step.stderr)
                assert summary and int(summary.group(1)) == args.articles, step.stderr
                rows.append(step)
                ended = tree_cpu(server.process.pid) or 0.0
                snapshot = finished_snapshot(client)
                snapshot_cpu = max(0.0, (tree_cpu(server.process.pid) or 0.0) - ended)  # the forked child, reaped
                print(f"batch {batch + 1:2d}: {step.seconds:6.1f} s wall, kgloader CPU {step.cpu:6.1f} s, "
                      f"server CPU {step.server_cpu} s, kgloader peak {step.peak_mb:5.1f} MB; snapshot {snapshot} s "
                      f"(server CPU {snapshot_cpu:.2f} s more); "
                      f"graph now {summary.group(3)} nodes, {summary.group(4)} relationships ({load_average()})",
                      flush=True)
                shutil.rmtree(folder)
        finally:
            if args.home is None:
                server.stop()
    first, last = rows[0], rows[-1]
    print(f"last / first batch: wall {last.seconds / first.seconds:.2f}, kgloader CPU {last.cpu / first.cpu:.2f}, "
          f"server CPU {(last.server_cpu or 0) / (first.server_cpu or 1):.2f}; "
          f"peak memory max {max(r.peak_mb for r in rows):.1f} MB")


def finished_snapshot(client: redis.Redis) -> int:
    """Wait for the snapshot a load starts as it ends (in the background, in a forked server process) and
    say how long it took: it writes the whole graph, so it grows with it, and a batch started while it runs
    shares the CPU with it."""
    while True:
        info = client.info("persistence")
        if not info["rdb_bgsave_in_progress"]:
            return int(info["rdb_last_bgsave_time_sec"])
        time.sleep(0.1)


if __name__ == "__main__":
    main()
