"""Load throughput into the embedded graph: `kgloader load` on a generated corpus, then again (no-op).

Each load runs as its own `kgloader` process so its peak memory (max RSS of that child and its
worker processes) is its own. The benchmark starts the embedded FalkorDB server itself, so the
server (whose memory grows with the graph, as any database's does) is not counted as
kgloader's; its memory is read from INFO and reported separately. The articles name people a
generated gazetteer knows (benchmarks/corpus.py), so the graph holds what real articles give:
persons, meetings, letters, positions, mentions.

    python benchmarks/bench_load.py [--megabytes 15] [--jobs 2]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import rules_with_gazetteer, write_corpus


def run_load(corpus: Path, home: Path, jobs: int, extra: list[str]) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "loader", "load", str(corpus), "--home", str(home), "--jobs",
                          str(jobs), *extra], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(run.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = re.search(r"articles seen (\d+).*?triples (\d+); graph now (\d+) nodes, (\d+) relationships", run.stderr)
    assert summary, run.stderr
    articles, triples, nodes, rels = map(int, summary.groups())
    return {"articles": articles, "triples": triples, "nodes": nodes, "relationships": rels,
            "seconds": round(seconds, 2), "triples_per_s": round(triples / seconds) if triples else 0,
            "peak_rss_mb": round(max(peak, before) / 1024, 1)}


def server_memory(server) -> float:
    import redis

    info = redis.Redis(unix_socket_path=str(server.socket)).info("memory")
    return round(info["used_memory"] / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=15)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, home = Path(tmp) / "corpus", Path(tmp) / "graph"
        rules, names = rules_with_gazetteer(Path(tmp) / "rules", 10_000)
        size = write_corpus(corpus, args.megabytes, names)
        from loader.graph.falkordb_store import EmbeddedServer

        server = EmbeddedServer(home)
        server.start()
        try:
            first = run_load(corpus, home, args.jobs, ["--rules", str(rules)])
            second = run_load(corpus, home, args.jobs, ["--rules", str(rules)])
            memory = server_memory(server)
        finally:
            server.stop()
        print(f"corpus {size / 1e6:.1f} MB, {first['articles']} articles, jobs {args.jobs}")
        print(f"first load : {first['triples']} triples in {first['seconds']} s = {first['triples_per_s']} triples/s "
              f"(extraction included); graph {first['nodes']} nodes, {first['relationships']} relationships; "
              f"kgloader peak RSS {first['peak_rss_mb']} MB")
        print(f"second load: {second['seconds']} s, {second['triples']} triples written (no-op); "
              f"kgloader peak RSS {second['peak_rss_mb']} MB")
        print(f"FalkorDB server memory after load: {memory} MB")


if __name__ == "__main__":
    main()
