"""Command line: parse, call a stage, print. Exit 0 ok, 2 bad rules/arguments, 3 graph trouble."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from loader import __version__, build
from loader.documents import find_files, log_passed_over
from loader.errors import GraphUnavailable, KgError, LoadFailed, UsageError, os_problem
from loader.pipeline import Summary, default_jobs, write_extraction
from loader.rdf import format_for
from loader.rules import load_rules
from loader.rules.compiled import KindSpec

if TYPE_CHECKING:
    from loader.graph.store import GraphStore

log = logging.getLogger("kgloader")

rules_option = click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
                            envvar="KGLOADER_RULES", show_envvar=True,
                            help="Rules directory (default: the shipped schema/rules).")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                           help="Worker processes (default: all cores).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")


class JsonLines(logging.Formatter):
    """One JSON object per log line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname.lower(),
                           "message": record.getMessage()}, ensure_ascii=False)


def _setup_logging(quiet: bool, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, handlers=[handler], force=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(f"{__version__} ({build()})", prog_name="kgloader")
def app() -> None:
    """Turn news articles into a knowledge graph: YAML rules → RDF → Neo4j."""


@app.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Dataset to write: .trig, .nq, .jsonld or .ttl (default graph only).")
@click.option("--neo4j-admin", "admin_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Instead: write CSV files for `neo4j-admin database import full` into this new folder, the "
                   "graph `load` would build from PATHS (articles and RDF files).")
@click.option("--naming", type=click.Choice(["readable", "shorten", "ignore"]), default=None,
              help="With --neo4j-admin: graph naming, as for load.")
@click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --neo4j-admin: RDF → graph mapping, as for load.")
@rules_option
@jobs_option
@quiet_option
def extract(paths: tuple[str, ...], output: Path | None, admin_dir: Path | None, naming: str | None,
            mapping_file: Path | None, rules_dir: Path | None, jobs: int | None, quiet: bool) -> None:
    """Read articles, apply the rules, write one RDF dataset (a named graph per article).

    With --neo4j-admin DIR: the files for a bulk first load of Neo4j (see DIR/import.sh)."""
    _setup_logging(quiet)
    if (output is None) == (admin_dir is None):
        raise UsageError("give either -o FILE (an RDF dataset) or --neo4j-admin DIR (files for neo4j-admin)")
    if admin_dir is not None:
        _write_bulk(list(paths), admin_dir, naming, mapping_file, rules_dir, jobs)
        return
    assert output is not None
    fmt = format_for(output)
    found = find_files(list(paths))
    log_passed_over(found, log)
    files = found.files
    if not files:
        log.warning("no article or RDF file under %s: nothing to read", ", ".join(paths))
    rules = load_rules(rules_dir)
    started = time.perf_counter()
    summaries: list[Summary] = []
    _write_atomically(output, lambda handle: summaries.append(
        write_extraction(files, handle, fmt, rules_dir, jobs or default_jobs())))
    _print_summary(summaries[0], time.perf_counter() - started, rules.kinds, output)


def _write_bulk(paths: list[str], directory: Path, naming: str | None, mapping_file: Path | None,
                rules_dir: Path | None, jobs: int | None) -> None:
    from loader.bulk import import_command, write_bulk
    from loader.graph.mapping import load_mapping
    from loader.load import LoadOptions

    mapping = load_mapping(mapping_file, naming, load_rules(rules_dir))
    options = LoadOptions(rules_dir=rules_dir, jobs=jobs or default_jobs(), naming=naming, mapping_file=mapping_file)
    report = write_bulk(paths, directory, options, mapping)
    log.info("sources %d, skipped %d, triples %d → %d nodes, %d relationships (and %d ASSERTS) in %d files, "
             "%.2f s → %s", report.sources, len(report.skipped), report.triples, report.nodes, report.relationships,
             report.assertions, len(report.files), report.seconds, directory)
    log.info("import (Neo4j stopped, a new database): sh %s [DATABASE], which runs\n  neo4j-admin %s",
             directory / "import.sh", " ".join(import_command(report.files)))


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write beside the target and rename: a failed run leaves the old file, never half a new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {os_problem(exc)}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _print_summary(summary: Summary, seconds: float, kinds: Mapping[str, KindSpec],
                   output: Path | None = None) -> None:
    """One line: articles, entities, each declared kind's events (`meetings 6, calls 2`), positions."""
    where = f" → {output}" if output else ""
    events = "".join(f", {kind.plural} {summary.events.get(kind.id, 0)}" for kind in kinds.values())
    log.info("articles read %d, skipped %d, entities %d%s, memberships %d, triples %d, %.2f s%s", summary.read,
             len(summary.skipped), len(summary.entities), events, summary.memberships, summary.triples, seconds,
             where)


def graph_options(func: Callable[..., None]) -> Callable[..., None]:
    """--uri/--user/--password-stdin/--database/--home, shared by every command that opens a graph."""
    options: list[Callable[[Callable[..., None]], Callable[..., None]]] = [
        click.option("--uri", help="Neo4j server (bolt://… or neo4j://…). Default: the embedded graph."),
        click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True, show_envvar=True,
                     help="Neo4j user."),
        click.option("--password-stdin", is_flag=True,
                     help="Read the Neo4j password from standard input (default: $NEO4J_PASSWORD)."),
        click.option("--database", help="Neo4j database (default: neo4j), or the embedded graph's name "
                                        "(default: kgloader)."),
        click.option("--home", type=click.Path(path_type=Path, file_okay=False), envvar="KGLOADER_HOME",
                     show_envvar=True, help="Folder of the embedded graph (default: ./.kgloader)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _password(uri: str | None, password_stdin: bool) -> str | None:
    if not uri:
        return None
    return sys.stdin.readline().rstrip("\n") if password_stdin else os.environ.get("NEO4J_PASSWORD")


def _open_graph(uri: str | None, user: str, password: str | None, database: str | None, home: Path | None,
                existing: bool = False):
    """The graph; `existing`: for commands that read or retract, an embedded graph must be there already."""
    from loader.load import embedded_home, open_store

    if existing and not uri and not embedded_home(home).is_dir():
        raise GraphUnavailable(f"no graph here: no embedded graph in {embedded_home(home).resolve()} (the folder "
                               "--home names, else $KGLOADER_HOME, else ./.kgloader); load articles first, or name "
                               "the graph with --home or --uri")
    return open_store(uri, user, password, database, home)


def load_options(func: Callable[..., None]) -> Callable[..., None]:
    """Options shared by `load` and `schedule`."""
    options: list[Callable[[Callable[..., None]], Callable[..., None]]] = [
        click.argument("paths", nargs=-1, required=True),
        graph_options,
        rules_option,
        jobs_option,
        click.option("--batch-size", type=click.IntRange(min=1), default=10_000, show_default=True,
                     help="Rows per UNWIND batch and per transaction."),
        click.option("--force", is_flag=True, help="Re-extract and rewrite articles even if unchanged."),
        click.option("--prune", is_flag=True,
                     help="Retract articles whose files were under PATHS and are gone; refused (exit 2) when that "
                          "is every article of the graph or more than half of them."),
        click.option("--prune-all", is_flag=True,
                     help="Like --prune, and retract them even when that is every article or most of the graph."),
        click.option("--naming", type=click.Choice(["readable", "shorten", "ignore"]), default=None,
                     help="Graph naming: readable (Person, name; n10s MAP with Neo4j naming), n10s SHORTEN "
                          "(sch__Person, sch__name) or n10s IGNORE (local names as they are: attendee)."),
        click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                     help="RDF → graph mapping (default: the shipped schema/mapping.yaml)."),
        click.option("--wait", is_flag=True, help="If another load runs on this graph, wait for it (default: exit 3)."),
        click.option("--report-dir", type=click.Path(path_type=Path, file_okay=False),
                     help="Write a JSON report of every run here."),
        click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                     help="Log lines as text or as JSON lines."),
        quiet_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_settings(paths: tuple[str, ...], rules_dir: Path | None, jobs: int | None, batch_size: int, force: bool,
                  prune: bool, prune_all: bool, naming: str | None, mapping_file: Path | None, wait: bool,
                  report_dir: Path | None):
    from loader.graph.mapping import load_mapping
    from loader.load import LoadOptions

    # bad rules or mapping: exit 2 before anything opens. Rules the cache holds were checked when compiled: only
    # their kinds are read; others are compiled (and cached, and let go: the extraction workers load them)
    from loader.rules import load_kinds
    from loader.schedule import RunSettings, check_report_dir

    load_mapping(mapping_file, naming).adopt_kinds(*load_kinds(rules_dir))
    check_report_dir(report_dir)
    options = LoadOptions(rules_dir=rules_dir, jobs=jobs or default_jobs(), batch_size=batch_size, force=force,
                          prune=prune or prune_all, prune_all=prune_all, naming=naming, mapping_file=mapping_file)
    return RunSettings(list(paths), options, report_dir, wait)


@app.command()
@load_options
def load(paths: tuple[str, ...], uri: str | None, user: str, password_stdin: bool, database: str | None,
         home: Path | None, rules_dir: Path | None, jobs: int | None, batch_size: int, force: bool, prune: bool,
         prune_all: bool, naming: str | None, mapping_file: Path | None, wait: bool, report_dir: Path | None,
         log_format: str, quiet: bool) -> None:
    """Extract articles and load them into the graph: new ones added, changed ones replaced."""
    from loader.schedule import StopSignal, lock_path, log_report, run_load

    _setup_logging(quiet, log_format)
    settings = _run_settings(paths, rules_dir, jobs, batch_size, force, prune, prune_all, naming, mapping_file, wait,
                             report_dir)
    password = _password(uri, password_stdin)
    lock = lock_path(uri, database, home)
    with StopSignal() as stop, _progress(quiet) as tick:
        report = run_load(lambda: _open_graph(uri, user, password, database, home), lock, settings, stop, tick)
    log_report(report)
    if report.failed:
        raise LoadFailed(f"{len(report.failed)} articles failed to load (see the log above)")


@app.command()
@load_options
@click.option("--every", help="Run at this interval from each run's start: 30s, 15m, 1h30m, 1d.")
@click.option("--cron", help='Run on a cron schedule, e.g. "*/15 * * * *" (UTC).')
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="Stop after this many runs.")
def schedule(paths: tuple[str, ...], uri: str | None, user: str, password_stdin: bool, database: str | None,
             home: Path | None, rules_dir: Path | None, jobs: int | None, batch_size: int, force: bool, prune: bool,
             prune_all: bool, naming: str | None, mapping_file: Path | None, wait: bool, report_dir: Path | None,
             log_format: str, quiet: bool, every: str | None, cron: str | None, max_runs: int | None) -> None:
    """Load on a schedule, in the foreground (for systemd, a container or a terminal)."""
    from loader.schedule import Timing, lock_path, schedule_loop

    _setup_logging(quiet, log_format)
    timing = Timing(every, cron)
    settings = _run_settings(paths, rules_dir, jobs, batch_size, force, prune, prune_all, naming, mapping_file, wait,
                             report_dir)
    password = _password(uri, password_stdin)
    lock = lock_path(uri, database, home)
    log.info("scheduling loads of %s every %s", ", ".join(paths), every or f"cron {cron!r}")
    status = schedule_loop(lambda: _open_graph(uri, user, password, database, home), lock, settings, timing, max_runs)
    if status:
        raise LoadFailed("some scheduled runs failed (see the log above)")


@contextlib.contextmanager
def _progress(quiet: bool):
    """A progress bar on a terminal; nothing in cron or with --quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("extracting and loading: {task.completed} articles"),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("load", total=None)
        yield lambda: progress.advance(task)


@app.command()
@click.argument("documents", nargs=-1, required=True)
@graph_options
@click.option("--wait", is_flag=True, help="If a load runs on this graph, wait for it (default: exit 3).")
@quiet_option
def delete(documents: tuple[str, ...], uri: str | None, user: str, password_stdin: bool, database: str | None,
           home: Path | None, wait: bool, quiet: bool) -> None:
    """Retract articles (by file name or path): facts no other article supports go with them."""
    from loader.load import Loader, LoadOptions
    from loader.schedule import exclusive, lock_path

    _setup_logging(quiet)
    identifiers = [Path(d).name for d in documents]
    password = _password(uri, password_stdin)
    graph = _open_graph(uri, user, password, database, home, existing=True)
    with exclusive(lock_path(uri, database, home), wait), graph as store:
        removed = Loader(store, LoadOptions()).delete(identifiers)
    for identifier in identifiers:
        if identifier not in removed:
            log.warning("not in the graph: %s", identifier)
    log.info("retracted %d articles", len(removed))


@app.command("queries")
def list_queries() -> None:
    """List the prepared queries in cypher/ with their parameters and defaults."""
    from loader.queries import load_queries

    for query in load_queries().values():
        click.echo(f"{query.name}\n    {query.description}")
        for param in query.parameters:
            kind = f", a {param.kind}" if param.kind else ""
            click.echo(f"    --param {param.name}=…  (default {json.dumps(param.default)}{kind})  {param.description}")


def query_options(func: Callable[..., None]) -> Callable[..., None]:
    """The query name and its parameters, shared by `query` and `view`."""
    func = click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
                        help="A query parameter (repeatable).")(func)
    return click.argument("name")(func)


@contextlib.contextmanager
def _prepared_rows(name: str, params: tuple[str, ...], uri: str | None, user: str, password_stdin: bool,
                   database: str | None, home: Path | None):
    """Run a prepared query; yields the open store (for follow-up reads) and (columns, rows)."""
    from loader.queries import check_names, find_query, load_queries, parse_params

    prepared = find_query(load_queries(), name)
    bound = prepared.bind(parse_params(params))
    with _open_graph(uri, user, _password(uri, password_stdin), database, home, existing=True) as store:
        check_names(store)
        yield store, store.read_table(prepared.text, bound)


@app.command()
@query_options
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@graph_options
def query(name: str, params: tuple[str, ...], fmt: str, uri: str | None, user: str, password_stdin: bool,
          database: str | None, home: Path | None) -> None:
    """Run a prepared query against the graph and print its rows."""
    from loader.queries import format_rows

    with _prepared_rows(name, params, uri, user, password_stdin, database, home) as (_, (columns, rows)):
        click.echo(format_rows(rows, fmt, _terminal_width(), columns))


def _terminal_width() -> int | None:
    """The terminal's width, to which a table's long cells are cut; none when the output is not a terminal."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


@app.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@graph_options
def articles(fmt: str, uri: str | None, user: str, password_stdin: bool, database: str | None,
             home: Path | None) -> None:
    """List the articles in the graph: file, headline, date, facts, entities, load time (the query `articles`)."""
    from loader.queries import format_rows

    with _prepared_rows("articles", (), uri, user, password_stdin, database, home) as (_, (columns, rows)):
        click.echo(format_rows(rows, fmt, _terminal_width(), columns))


@app.command()
@query_options
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML page to write (d3, which draws it, is written once beside it).")
@click.option("--standalone", is_flag=True, help="Put d3 inside the page (+280 KB): one file to pass on.")
@rules_option
@graph_options
def view(name: str, params: tuple[str, ...], output: Path, standalone: bool, rules_dir: Path | None, uri: str | None,
         user: str, password_stdin: bool, database: str | None, home: Path | None) -> None:
    """Draw what a prepared query finds (cypher/view/NAME.cypher) as an interactive HTML page.

    An empty result still writes a page that says so, and exits 0."""
    from loader.queries import check_names, find_query, load_queries, parse_params
    from loader.view import build_graph, find_view, load_views, render_html, write_d3_beside

    kinds = load_rules(rules_dir).kinds  # each declared event kind's label and date
    queries = load_queries()
    prepared = find_query(queries, name)
    drawn = find_view(load_views(queries), name)
    bound = prepared.bind(parse_params(params))
    with _open_graph(uri, user, _password(uri, password_stdin), database, home, existing=True) as store:
        check_names(store)
        drawing = build_graph(store, drawn, prepared, bound, kinds)
    html = render_html(drawing, standalone=standalone)
    def write(handle: BinaryIO) -> None:
        handle.write(html.encode("utf-8"))

    _write_atomically(output, write)
    if not standalone:
        write_d3_beside(output)
    summary = f"{output}: {len(drawing.nodes)} nodes, {len(drawing.rels)} relationships"
    if not drawing.nodes:
        given = ", ".join(f"{k}={v}" for k, v in bound.items() if v not in ("", None)) or "no parameters"
        summary += f"; nothing to draw: {name} found nothing ({given})"
    click.echo(summary)


EXPORT_FORMATS = {"nq": ".nq", "trig": ".trig", "ttl": ".ttl", "jsonld": ".jsonld"}


@app.command("export")
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default=None,
              help="RDF format (default: by the output's extension, else nq).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (default: standard output).")
@click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The mapping the graph was loaded with (its resource label and provenance property).")
@click.option("--query", "query_name", metavar="NAME",
              help="Only what the prepared query NAME finds: the nodes and relationships its view draws "
                   "(cypher/view/NAME.cypher), as `kgloader view NAME` does.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of --query (repeatable).")
@graph_options
@quiet_option
def export_command(fmt: str | None, output: Path | None, mapping_file: Path | None, query_name: str | None,
                   params: tuple[str, ...], uri: str | None, user: str, password_stdin: bool, database: str | None,
                   home: Path | None, quiet: bool) -> None:
    """Write the graph back as RDF: original IRIs, datatypes, language tags and named graphs."""
    from loader.export import export
    from loader.graph.mapping import load_mapping
    from loader.rdf import format_for

    _setup_logging(quiet)
    if fmt is None:
        fmt = next((name for name, suffix in EXPORT_FORMATS.items() if output and output.suffix == suffix), "nq")
    rdf_format = format_for(Path(f"x{EXPORT_FORMATS[fmt]}"))
    mapping = load_mapping(mapping_file)
    if params and not query_name:
        raise UsageError("--param goes with --query NAME")
    counts: list[int] = []
    with _open_graph(uri, user, _password(uri, password_stdin), database, home, existing=True) as store:
        result = _view_rows(store, query_name, params) if query_name else None
        if output is None:
            counts.append(export(store, mapping, sys.stdout.buffer, rdf_format, result))
            sys.stdout.buffer.flush()
        else:
            _write_atomically(output, lambda handle: counts.append(export(store, mapping, handle, rdf_format,
                                                                          result)))
    log.info("exported %d quads%s", counts[0], f" → {output}" if output else "")


def _view_rows(store: GraphStore, name: str, params: tuple[str, ...]) -> list[dict[str, object]]:
    """The rows of a prepared query's view: its nodes and relationships."""
    from loader.queries import find_query, load_queries, parse_params
    from loader.view import find_view, load_views

    queries = load_queries()
    bound = find_query(queries, name).bind(parse_params(params))
    return store.read(find_view(load_views(queries), name).text, bound)


@app.group("rules")
def rules_group() -> None:
    """Work with the extraction rules."""


@rules_group.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def rules_check(directory: Path | None) -> None:
    """Validate the rules; every error names file, line and rule."""
    from loader.errors import RuleError
    from loader.graph.mapping import load_mapping
    from loader.resources import rules_origin
    from loader.rules.examples import EXAMPLE_SECTIONS, run_examples, unreachable_triggers

    compiled = load_rules(directory)
    load_mapping(rules=compiled)  # the event kinds' labels agree with the shipped mapping
    failed = unreachable_triggers(compiled) + run_examples(compiled)
    if failed:
        raise RuleError(failed)
    ruleset = compiled.ruleset
    examples = sum(len(rule.examples) for section in EXAMPLE_SECTIONS
                   for rule in getattr(ruleset, section))
    click.echo(f"rules: {ruleset.directory} ({rules_origin(ruleset.directory)})")
    click.echo(f"rules ok: {len(ruleset.files)} files, {len(compiled.entities)} entities, "
               f"{len(ruleset.name_patterns)} name patterns, {len(ruleset.memberships)} membership rules, "
               f"{len(compiled.kinds)} event kinds ({', '.join(compiled.kinds)}), {len(ruleset.events)} event rules, "
               f"{examples} examples pass, hash {compiled.content_hash[:12]}")


@rules_group.command("explain")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@rules_option
def rules_explain(file: Path, rules_dir: Path | None) -> None:
    """Show, sentence by sentence, what the rules saw in FILE and why it gave what it gave."""
    from loader.explain import explain_file

    for line in explain_file(file, load_rules(rules_dir)):
        click.echo(line)


@rules_group.command("update-places")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="What to take from the data (default: schema/world-places.yaml).")
def rules_update_places(directory: Path | None, config_path: Path | None) -> None:
    """Regenerate the world gazetteer from the place data packages (pip install 'kgloader[places]')."""
    try:
        from loader import places
    except ImportError as exc:  # pragma: no cover - the packages are an extra
        raise click.UsageError(f"{exc}: install the place data packages: pip install 'kgloader[places]'") from exc
    from loader.resources import default_rules_dir, schema_file

    directory = directory or default_rules_dir()
    try:
        output, count = places.write(directory, config_path or schema_file("world-places.yaml"))
    except ImportError as exc:
        raise click.UsageError(f"{exc}: install the place data packages: pip install 'kgloader[places]'") from exc
    click.echo(f"{count} places ({', '.join(f'{k} {v}' for k, v in places.versions().items())}) → {output}")
    load_rules(directory)  # what was written loads


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
    except OSError as exc:  # a path the system refused, wherever it was met
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # never a traceback: one line, and the way to see more
        if os.environ.get("KGLOADER_DEBUG"):
            raise
        click.echo(f"error: unexpected {type(exc).__name__}: {exc} (KGLOADER_DEBUG=1 shows the traceback)", err=True)
        sys.exit(1)


# One line per command in `kgloader --help` (click cuts a longer docstring mid-sentence), and one example
# under each command's own --help.
HELP = {
    ("extract",): ("Articles → one RDF dataset (.trig, .nq, .jsonld, .ttl).",
                   "kgloader extract examples/articles -o out.trig"),
    ("load",): ("Extract articles and load what is new or changed.",
                "kgloader load inbox --prune --report-dir reports"),
    ("schedule",): ("Load on a schedule, in the foreground.", "kgloader schedule inbox --every 15m --prune"),
    ("delete",): ("Retract articles from the graph.", "kgloader delete 001_866d47ab6ad8327c.txt"),
    ("queries",): ("List the prepared queries and their parameters.", "kgloader queries"),
    ("query",): ("Run a prepared query and print its rows.",
                 "kgloader query who-met-whom -p person=Haniyeh -p from=2023-01 --format json"),
    ("articles",): ("List the articles in the graph.", "kgloader articles --format csv"),
    ("view",): ("Draw what a prepared query finds, as an HTML page.",
                "kgloader view who-met-whom -p person=Haniyeh -o meetings.html"),
    ("export",): ("Write the graph back as RDF.", "kgloader export -o graph.trig"),
    ("rules",): ("Check, explain or update the extraction rules.", "kgloader rules check"),
    ("rules", "check"): ("Validate the rules and run their examples.", "kgloader rules check schema/rules"),
    ("rules", "explain"): ("What the rules saw in a file, sentence by sentence.",
                           "kgloader rules explain examples/articles/amman-talks-2024.txt"),
    ("rules", "update-places"): ("Regenerate the world gazetteer from place data.", "kgloader rules update-places"),
}


def _document_commands() -> None:
    for path, (summary, example) in HELP.items():
        command: click.Command = app
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        command.short_help = summary
        command.epilog = f"\b\nExample:\n  {example}"


_document_commands()
