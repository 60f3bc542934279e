"""Extraction throughput: articles → RDF on one core, with a 10,000-alias gazetteer.

Each size runs in a fresh process so that peak memory (ru_maxrss) belongs to that size
alone; memory that does not grow with the corpus shows the pipeline streams.

    python benchmarks/bench_extract.py [--sizes 5 10 20] [--aliases 10000] [--corpus DIR]

The generated articles are template news items padded with fact-free sentences; `--corpus DIR`
measures copies of real articles instead (e.g. examples/articles), which are denser in facts.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import copy_corpus, rules_with_gazetteer, write_corpus


def measure(corpus: Path, rules: Path, output: Path, jobs: int) -> dict[str, float | str]:
    """The extract command's own code path (loader.pipeline.write_extraction), as installed."""
    from loader import build
    from loader.documents import expand_paths
    from loader.pipeline import write_extraction
    from loader.rdf import format_for
    from loader.rules import load_rules

    started = time.perf_counter()
    # loading and compiling the rules, once per process (patterns from the cache compile on first use:
    # compiled here, as they were when the target was set, so that MB/s measures articles, not setup)
    load_rules(rules).compile_patterns()
    rules_seconds = time.perf_counter() - started
    files = expand_paths([str(corpus)])
    size = sum(f.stat().st_size for f in files)
    started = time.perf_counter()
    with output.open("wb") as handle:
        summary = write_extraction(files, handle, format_for(output), rules, jobs)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"megabytes": round(size / 1e6, 2), "articles": summary.read, "triples": summary.triples,
            "rules_seconds": round(rules_seconds, 2), "seconds": round(seconds, 2), "jobs": jobs,
            "mb_per_s": round(size / 1e6 / seconds, 2), "triples_per_s": round(summary.triples / seconds),
            "ms_per_article": round(seconds * 1000 / max(summary.read, 1), 2),
            "peak_rss_mb": round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children) / 1024, 1),
            "build": build()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 10])
    parser.add_argument("--aliases", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (the target is per core: 1)")
    parser.add_argument("--corpus", type=Path, help="copy these articles instead of generating them")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        corpus, rules, output, jobs = args.child
        print(json.dumps(measure(Path(corpus), Path(rules), Path(output), int(jobs))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules, names = rules_with_gazetteer(root / "rules", args.aliases)
        for size in args.sizes:
            corpus = root / f"corpus-{size}"
            if args.corpus:
                copy_corpus(corpus, size, args.corpus)
            else:
                write_corpus(corpus, size, names)
            run = subprocess.run([sys.executable, __file__, "--child", str(corpus), str(rules),
                                  str(root / f"out-{size}.nq"), str(args.jobs)], capture_output=True, text=True,
                                 check=True)
            result = json.loads(run.stdout)
            print(f"{result['megabytes']:>6} MB  {result['articles']:>6} articles  {result['triples']:>8} triples  "
                  f"{result['seconds']:>6} s  {result['mb_per_s']:>5} MB/s  {result['ms_per_article']:>5} ms/article  "
                  f"{result['triples_per_s']:>7} triples/s  "
                  f"peak RSS {result['peak_rss_mb']} MB  (jobs {result['jobs']}, "
                  f"rules load {result['rules_seconds']} s, {args.aliases} aliases, {result['build']})")


if __name__ == "__main__":
    main()
