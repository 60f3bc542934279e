"""A scheduled run over 10,000 unchanged articles: how long it takes to find there is nothing to do.

    python benchmarks/bench_noop.py [--articles 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import person_names, write_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, home, reports = Path(tmp) / "inbox", Path(tmp) / "graph", Path(tmp) / "reports"
        size = write_corpus(corpus, 0, person_names(2000), articles=args.articles, filler=0)
        base = [sys.executable, "-m", "loader", "schedule", str(corpus), "--home", str(home), "--every", "1h",
                "--max-runs", "1", "--report-dir", str(reports), "-q"]
        started = time.perf_counter()
        subprocess.run(base, check=True)
        first = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(base, check=True)
        wall = time.perf_counter() - started
        runs = [json.loads(p.read_text()) for p in sorted(reports.glob("run-*.json"))]
        noop = runs[-1]
        assert noop["counts"]["unchanged"] == args.articles and noop["triples"] == 0, noop["counts"]
        print(f"{args.articles} articles ({size / 1e6:.1f} MB): first run {first:.1f} s; no-op run {noop['seconds']} s "
              f"inside kgloader, {wall:.2f} s for the whole command (process start, embedded server start and stop)")


if __name__ == "__main__":
    main()
