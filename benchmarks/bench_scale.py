"""Successive batches of new articles into one embedded graph: does a batch cost more as the graph grows?

    python benchmarks/bench_scale.py [--batches 10] [--articles 2000] [--jobs 2]

Each batch is `--articles` new articles (benchmarks/corpus.py, names a generated gazetteer knows, so every
batch adds persons, meetings, letters, positions and mentions, and shares the hub entities: Gaza, the West
Bank, the agency, the most named people) loaded by its own `kgloader load` process into the same graph. The
benchmark starts the embedded server itself, so its memory and CPU are not kgloader's; per batch it prints
wall time, kgloader's CPU time (the process and its workers), the server's CPU time, and kgloader's peak
memory (the largest of its processes). On a shared machine the CPU times are the figures to compare.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import rules_with_gazetteer, write_corpus
from benchmarks.measure import load_average, measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--aliases", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from loader.graph.falkordb_store import EmbeddedServer

    print(f"before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules, names = rules_with_gazetteer(root / "rules", args.aliases)
        home = root / "graph"
        server = EmbeddedServer(home)
        server.start()
        assert server.process is not None
        rows = []
        try:
            for batch in range(args.batches):
                folder = root / f"batch-{batch:02d}"
                write_corpus(folder, 0, names, articles=args.articles, first_index=batch * args.articles)
                step = measured([sys.executable, "-m", "loader", "load", str(folder), "--home", str(home),
                                 "--rules", str(rules), "--jobs", str(args.jobs)], server.process.pid)
                summary = re.search(r"new (\d+).*?triples (\d+); graph now (\d+) nodes, (\d+) relationships",
                                    step.stderr)
                assert summary and int(summary.group(1)) == args.articles, step.stderr
                rows.append(step)
                print(f"batch {batch + 1:2d}: {step.seconds:6.1f} s wall, kgloader CPU {step.cpu:6.1f} s, "
                      f"server CPU {step.server_cpu} s, kgloader peak {step.peak_mb:5.1f} MB; graph now "
                      f"{summary.group(3)} nodes, {summary.group(4)} relationships ({load_average()})", flush=True)
                shutil.rmtree(folder)
        finally:
            server.stop()
    first, last = rows[0], rows[-1]
    print(f"last / first batch: wall {last.seconds / first.seconds:.2f}, kgloader CPU {last.cpu / first.cpu:.2f}, "
          f"server CPU {(last.server_cpu or 0) / (first.server_cpu or 1):.2f}; "
          f"peak memory max {max(r.peak_mb for r in rows):.1f} MB")


if __name__ == "__main__":
    main()
