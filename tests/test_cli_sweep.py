"""Every option of every command, fed bad values: one line and exit 2 (3 where the graph is at fault), never a
traceback. The commands and their options are read from the command line itself, so a new option is swept too."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from conftest import EXAMPLES

from loader import cli
from loader.errors import UsageError
from loader.queries import find_query, load_queries

ARTICLE = str(EXAMPLES / "letters-2021.txt")
PATHS = ["/proc/no-such-folder/x", "{file}/x", "", "{folder}"]
NUMBERS = ["-1", "0", "many", "99999999999999999999999"]
WORDS = ["", "\x01", "x" * 5000, "-", "localhost:7687", "http://example.org", "bolt://127.0.0.1:1"]
# what each command needs to run at all (so that the bad value is what is judged)
BASE = {
    ("extract",): [ARTICLE, "-o", "{out}/x.nq"],
    ("load",): [ARTICLE],
    ("schedule",): [ARTICLE, "--every", "1s", "--max-runs", "1"],
    ("delete",): ["x.txt"],
    ("query",): ["overview"],
    ("view",): ["overview", "-o", "{out}/v.html"],
    ("rules", "explain"): [ARTICLE],
}
SPECIAL = {  # values that mean something to one option
    "params": ["x", "=1", "limit=-1", "top=-1", "top=ten", "nope=1", "from=2023-13-45"],
    "every": ["0s", "soon", "-5m", "1x"],
    "cron": ["* * *", "61 * * * *", "every minute"],
    "max_runs": ["-1", "0", "many"],  # a valid count would keep the schedule running
}


def commands(group: click.Group = cli.app, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                                                           click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def values(param: click.Parameter) -> list[str]:
    if param.name in SPECIAL:
        return SPECIAL[param.name]
    if isinstance(param.type, click.Choice):
        return ["nope", ""]
    if isinstance(param.type, click.Path):
        return PATHS
    if isinstance(param.type, click.types.IntParamType):
        return NUMBERS
    return WORDS


def cases() -> Iterator[object]:
    for path, command in commands():
        if path == ("rules", "update-places"):
            continue  # rewrites the shipped gazetteer: tested in test_world_places.py
        for param in command.params:
            if isinstance(param, click.Option) and (param.is_flag or param.name in ("help", "version")):
                continue
            flag = param.opts[0] if isinstance(param, click.Option) else None
            for value in values(param):
                yield pytest.param(path, flag, value, id=f"{' '.join(path)} {flag or param.name}={value[:20]!r}")


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["kgloader", *argv])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(("command", "flag", "value"), list(cases()))
def test_bad_values_give_one_line_never_a_traceback(command: tuple[str, ...], flag: str | None, value: str,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # no graph here, and nothing written anywhere else
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("KGLOADER_RULES", "")
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "folder").mkdir()
    (tmp_path / "out").mkdir()
    value = value.format(file=tmp_path / "file", folder=tmp_path / "folder")
    base = [arg.format(out=tmp_path / "out") for arg in BASE.get(command, [])]
    # an argument: the bad value stands in for the command's first argument
    argv = [*command, value, *base[1:]] if flag is None else [*command, *base, flag, value]
    code, output = run(argv, monkeypatch, capsys)
    assert "Traceback" not in output and "unexpected" not in output, output
    assert code in (0, 2, 3), (code, output)
    if code:
        errors = [line for line in output.splitlines() if line.startswith(("error:", "Error:"))]
        assert errors, output


@pytest.mark.parametrize(("query", "given", "problem"), [
    ("who-met-whom", {"from": "2023-13-45"}, "takes a date such as 2023, 2023-06 or 2023-06-01, not '2023-13-45'"),
    ("who-met-whom", {"to": "2023-02-30"}, "not '2023-02-30'"),
    ("who-met-whom", {"to": "June"}, "not 'June'"),
    ("interactions", {"limit": "-1"}, "takes a whole number, 0 or more, not '-1'"),
    ("overview", {"top": "ten"}, "takes a whole number, not 'ten'"),
])
def test_query_parameters_are_checked_before_the_graph_sees_them(query: str, given: dict[str, str],
                                                                 problem: str) -> None:
    prepared = find_query(load_queries(), query)
    with pytest.raises(UsageError, match=re.escape(problem)):
        prepared.bind(given)


def test_good_dates_and_counts_pass() -> None:
    bound = find_query(load_queries(), "who-met-whom").bind({"from": "2023", "to": "2023-06-30"})
    assert bound["from"] == "2023" and bound["to"] == "2023-06-30"
    assert find_query(load_queries(), "interactions").bind({"limit": "0"})["limit"] == 0


def test_every_command_has_a_whole_summary_and_an_example(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    for group in ([], ["rules"]):
        code, listing = run([*group, "--help"], monkeypatch, capsys)
        summaries = listing.split("Commands:")[1]
        assert code == 0 and "..." not in summaries, listing  # click cuts a long summary with "..."
    for path, _ in commands():
        code, text = run([*path, "--help"], monkeypatch, capsys)
        assert code == 0 and re.search(r"Example:\n\s+kgloader " + " ".join(path) + r"\b", text), text
