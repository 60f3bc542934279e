"""Command line: parse, call a stage, print. Exit 0 ok, 2 bad rules/arguments, 3 graph trouble."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import click

from loader import __version__
from loader.documents import expand_paths
from loader.errors import KgError, LoadFailed
from loader.pipeline import Summary, default_jobs, extract_paths
from loader.rdf import article_quads, format_for, vocabulary_quads, write_dataset
from loader.rules import load_rules

log = logging.getLogger("kgloader")
LoadFailedExit = LoadFailed

rules_option = click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
                            envvar="KGLOADER_RULES", show_envvar=True,
                            help="Rules directory (default: the shipped schema/rules).")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                           help="Worker processes (default: all cores).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")


def _setup_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(levelname)s: %(message)s",
                        stream=sys.stderr, force=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgloader")
def app() -> None:
    """Turn news articles into a knowledge graph: YAML rules → RDF → Neo4j."""


@app.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Dataset to write: .trig, .nq, .jsonld or .ttl (default graph only).")
@rules_option
@jobs_option
@quiet_option
def extract(paths: tuple[str, ...], output: Path, rules_dir: Path | None, jobs: int | None, quiet: bool) -> None:
    """Read articles, apply the rules, write one RDF dataset (a named graph per article)."""
    _setup_logging(quiet)
    fmt = format_for(output)
    files = expand_paths(list(paths))
    load_rules(rules_dir)
    started = time.perf_counter()
    summary = Summary()

    def quads():
        yield from vocabulary_quads()
        for outcome in extract_paths(files, rules_dir, jobs or default_jobs()):
            if outcome.facts is None:
                summary.skip(outcome.path, outcome.problem or "unknown problem")
                continue
            article = article_quads(outcome.facts)
            summary.add(outcome.facts, len(article))
            yield from article

    _write_atomically(output, lambda handle: write_dataset(quads(), handle, fmt))
    _print_summary(summary, time.perf_counter() - started, output)


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write beside the target and rename: a failed run leaves the old file, never half a new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _print_summary(summary: Summary, seconds: float, output: Path | None = None) -> None:
    where = f" → {output}" if output else ""
    log.info("articles read %d, skipped %d, entities %d, meetings %d, messages %d, memberships %d, "
             "triples %d, %.2f s%s", summary.read, len(summary.skipped), len(summary.entities), summary.meetings,
             summary.messages, summary.memberships, summary.triples, seconds, where)


def graph_options(func: Callable[..., None]) -> Callable[..., None]:
    """--uri/--user/--password-stdin/--database/--home, shared by every command that opens a graph."""
    options = [
        click.option("--uri", help="Neo4j server (bolt://… or neo4j://…). Default: the embedded graph."),
        click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True, show_envvar=True,
                     help="Neo4j user."),
        click.option("--password-stdin", is_flag=True,
                     help="Read the Neo4j password from standard input (default: $NEO4J_PASSWORD)."),
        click.option("--database", help="Neo4j database, or the embedded graph's name (default: kgloader)."),
        click.option("--home", type=click.Path(path_type=Path, file_okay=False), envvar="KGLOADER_HOME",
                     show_envvar=True, help="Folder of the embedded graph (default: ./.kgloader)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _open_graph(uri: str | None, user: str, password_stdin: bool, database: str | None, home: Path | None):
    from loader.load import open_store

    password = None
    if uri:
        password = sys.stdin.readline().rstrip("\n") if password_stdin else os.environ.get("NEO4J_PASSWORD")
    return open_store(uri, user, password, database, home)


@app.command()
@click.argument("paths", nargs=-1, required=True)
@graph_options
@rules_option
@jobs_option
@click.option("--batch-size", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows per UNWIND batch and per transaction.")
@click.option("--force", is_flag=True, help="Re-extract and rewrite articles even if unchanged.")
@click.option("--prune", is_flag=True, help="Retract articles whose files are gone.")
@click.option("--naming", type=click.Choice(["readable", "shorten"]), default=None,
              help="Graph naming: readable (Person, name) or n10s SHORTEN (sch__Person, sch__name).")
@quiet_option
def load(paths: tuple[str, ...], uri: str | None, user: str, password_stdin: bool, database: str | None,
         home: Path | None, rules_dir: Path | None, jobs: int | None, batch_size: int, force: bool, prune: bool,
         naming: str | None, quiet: bool) -> None:
    """Extract articles and load them into the graph: new ones added, changed ones replaced."""
    from loader.load import Loader, LoadOptions

    _setup_logging(quiet)
    options = LoadOptions(rules_dir=rules_dir, jobs=jobs or default_jobs(), batch_size=batch_size, force=force,
                          prune=prune, naming=naming)
    load_rules(rules_dir)
    with _open_graph(uri, user, password_stdin, database, home) as store:
        report = Loader(store, options).load(list(paths))
        counts = graph_counts(store)
    log.info("articles seen %d: new %d, changed %d, unchanged %d, skipped %d, failed %d, pruned %d; "
             "triples %d; graph now %d nodes, %d relationships; %.2f s (%s)", report.seen, len(report.new),
             len(report.changed), report.unchanged, len(report.skipped), len(report.failed), len(report.pruned),
             report.triples, counts["nodes"], counts["relationships"], report.seconds, store.description)
    if report.failed:
        raise LoadFailedExit(f"{len(report.failed)} articles failed to load")


@app.command()
@click.argument("documents", nargs=-1, required=True)
@graph_options
@quiet_option
def delete(documents: tuple[str, ...], uri: str | None, user: str, password_stdin: bool, database: str | None,
           home: Path | None, quiet: bool) -> None:
    """Retract articles (by file name or path): facts no other article supports go with them."""
    from loader.load import Loader, LoadOptions

    _setup_logging(quiet)
    identifiers = [Path(d).name for d in documents]
    with _open_graph(uri, user, password_stdin, database, home) as store:
        removed = Loader(store, LoadOptions()).delete(identifiers)
    for identifier in identifiers:
        if identifier not in removed:
            log.warning("not in the graph: %s", identifier)
    log.info("retracted %d articles", len(removed))


def graph_counts(store) -> dict[str, int]:
    from loader.graph import cypher

    return {"nodes": store.read(cypher.COUNT_NODES)[0]["n"],
            "relationships": store.read(cypher.COUNT_RELATIONSHIPS)[0]["n"]}


@app.command("queries")
def list_queries() -> None:
    """List the prepared queries in cypher/ with their parameters and defaults."""
    from loader.queries import load_queries

    for query in load_queries().values():
        click.echo(f"{query.name}\n    {query.description}")
        for param in query.parameters:
            click.echo(f"    --param {param.name}=…  (default {json.dumps(param.default)})  {param.description}")


@app.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@graph_options
def query(name: str, params: tuple[str, ...], fmt: str, uri: str | None, user: str, password_stdin: bool,
          database: str | None, home: Path | None) -> None:
    """Run a prepared query against the graph and print its rows."""
    from loader.queries import find_query, format_rows, load_queries, parse_params

    prepared = find_query(load_queries(), name)
    bound = prepared.bind(parse_params(params))
    with _open_graph(uri, user, password_stdin, database, home) as store:
        rows = store.read(prepared.text, bound)
    click.echo(format_rows(rows, fmt))


@app.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML page to write.")
@graph_options
def view(name: str, params: tuple[str, ...], output: Path, uri: str | None, user: str, password_stdin: bool,
         database: str | None, home: Path | None) -> None:
    """Draw a prepared query's entities and the facts linking them as an interactive HTML page."""
    from loader.queries import find_query, load_queries, parse_params
    from loader.view import build_graph, render_html

    prepared = find_query(load_queries(), name)
    bound = prepared.bind(parse_params(params))
    with _open_graph(uri, user, password_stdin, database, home) as store:
        graph = build_graph(store, store.read(prepared.text, bound))
    html = render_html(graph, f"kgloader: {name}")
    _write_atomically(output, lambda handle: handle.write(html.encode("utf-8")))
    click.echo(f"{output}: {len(graph.nodes)} nodes, {len(graph.relationships)} relationships")


@app.group("rules")
def rules_group() -> None:
    """Work with the extraction rules."""


@rules_group.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def rules_check(directory: Path | None) -> None:
    """Validate the rules; every error names file, line and rule."""
    compiled = load_rules(directory)
    ruleset = compiled.ruleset
    click.echo(f"rules ok: {len(ruleset.files)} files, {len(ruleset.entities)} entities, "
               f"{len(ruleset.name_patterns)} name patterns, {len(ruleset.memberships)} membership rules, "
               f"{len(ruleset.events)} event rules, hash {compiled.content_hash[:12]}")


def main() -> None:
    """Entry point: known errors become one clear message and the contract's exit status."""
    try:
        app.main(standalone_mode=False)
    except KgError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
