"""Rule files are validated strictly; every problem names file, line and rule; exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import regex
from conftest import EXAMPLES, SEEDS, kgloader

from loader.errors import RuleError
from loader.resources import default_rules_dir
from loader.rules.compiled import Compiled, CompiledRules, WordFinder, fold
from loader.rules.ruleset import load_ruleset


def test_shipped_rules_check_ok() -> None:
    result = kgloader("rules", "check")
    assert result.returncode == 0, result.stderr
    assert "rules ok" in result.stdout


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target


def _problems(directory: Path) -> list[str]:
    with pytest.raises(RuleError) as info:
        CompiledRules(load_ruleset(directory))
    return [str(p) for p in info.value.problems]


BAD_FILES = {
    "unknown key": ("events:\n  - id: meeting.bad\n    kind: meeting\n    pattren: 'x'\n", 4, "meeting.bad",
                    "pattren"),
    "wrong type": ("entities:\n  - id: someone\n    type: Person\n    name: Some One\n    aliases: 3\n", 5,
                   "someone", "aliases"),
    "bad kind": ("entities:\n  - id: someone\n    type: Animal\n    name: Rex\n", 3, "someone", "type"),
    "bad regex": ("events:\n  - id: meeting.bad\n    kind: meeting\n    pattern: '(?P<subject>{AGENT} met ('\n",
                  4, "meeting.bad", "bad regular expression"),
    "unknown macro": ("events:\n  - id: meeting.bad\n    kind: meeting\n    pattern: '{NOPE} (?P<subject>x)'\n", 4,
                      "meeting.bad", "unknown macro {NOPE}"),
    "missing groups": ("events:\n  - id: message.bad\n    kind: message\n    pattern: '(?P<sender>{AGENT}) wrote'\n",
                       4, "message.bad", "recipient+sender"),
    "duplicate key": ("entities:\n  - id: someone\n    type: Person\n    name: A\n    name: B\n", 5, None,
                      "duplicate key 'name'"),
    "yaml syntax": ("entities:\n  - id: [unclosed\n", 3, None, "YAML"),
    "catastrophic backtracking": ("memberships:\n  - id: role.slow\n"
                                  "    pattern: '(?P<title>(\\w+\\s?)+)$(?P<person>)(?P<org>)'\n",
                                  3, "role.slow", "backtracks catastrophically"),
    "bad id": ("entities:\n  - id: Not An Id\n    type: Person\n    name: X\n", 2, "Not An Id", "id"),
    "unknown word list": ("events:\n  - id: meeting.bad\n    kind: meeting\n    starts_with: ['@nope']\n"
                          "    pattern: '(?P<subject>{AGENT}) met (?P<objects>{AGENT})'\n", 4, "meeting.bad",
                          "unknown word list @nope"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_rule_file_is_reported_with_file_line_and_rule(rules_copy: Path, case: str) -> None:
    text, line, rule, words = BAD_FILES[case]
    bad = rules_copy / "zz-bad.yaml"
    bad.write_text(text, encoding="utf-8")
    problems = _problems(rules_copy)
    mine = [p for p in problems if p.startswith(f"{bad}:") and words in p]
    assert mine, problems
    assert mine[0].startswith(f"{bad}:{line}:"), mine
    if rule:
        assert f"rule {rule}:" in mine[0]


def test_duplicate_id_across_files_names_both(rules_copy: Path) -> None:
    (rules_copy / "zz-dup.yaml").write_text("entities:\n  - {id: hamas, type: Organization, name: Hamas 2}\n")
    problems = _problems(rules_copy)
    assert any("zz-dup.yaml:2: rule hamas: duplicate id 'hamas'" in p and "organizations.yaml" in p
               for p in problems), problems


def test_alias_naming_two_types_is_rejected(rules_copy: Path) -> None:
    (rules_copy / "zz-collide.yaml").write_text(
        "entities:\n  - {id: tehran-person, type: Person, name: Someone, aliases: [Tehran]}\n")
    problems = _problems(rules_copy)
    assert any("zz-collide.yaml:2: rule tehran-person: alias 'tehran' also names" in p for p in problems), problems


def test_rules_check_exits_2_and_extract_writes_nothing(rules_copy: Path, tmp_path: Path) -> None:
    (rules_copy / "zz-bad.yaml").write_text("memberships:\n  - id: role.bad\n    pattern: '(?P<person>'\n")
    check = kgloader("rules", "check", str(rules_copy))
    assert check.returncode == 2
    assert "zz-bad.yaml:3: rule role.bad: bad regular expression" in check.stderr
    out = tmp_path / "out.trig"
    run = kgloader("extract", str(Path(__file__).parent.parent / "examples" / "articles"), "-o", str(out),
                   "--rules", str(rules_copy))
    assert run.returncode == 2
    assert not out.exists()


def test_starts_with_tries_the_pattern_only_where_a_word_begins() -> None:
    """Same matches as a plain scan (leftmost, non-overlapping, lookbehind sees the text before), for a
    pattern whose matches do begin with the words; a word missing from the list loses its matches."""
    pattern = regex.compile(r"\b(?<!-)(?:(?i:deputy)\s+)?(?i:head)\s+(?P<name>[A-Z]\w+)")
    text = "The deputy head Ali met head Omar, the co-head Zed and the Ahead Group; Deputy Head Sami too."
    plain = [m.span() for m in pattern.finditer(text)]
    assert len(plain) == 3
    hinted = Compiled(None, pattern.pattern, frozenset(), WordFinder(["deputy", "head"]))
    assert [m.span() for m in hinted.finditer(text, fold(text))] == plain
    partial = Compiled(None, pattern.pattern, frozenset(), WordFinder(["deputy"]))
    assert [m.group("name") for m in partial.finditer(text, fold(text))] == ["Ali", "Sami"]


def _is_speed_hint(path: Path, line: str) -> bool:
    """`starts_with` and `triggers_also` everywhere, and the date patterns' `triggers` (which only spare the
    engine work)."""
    return line.lstrip().startswith(("starts_with:", "triggers_also:")) or (
        path.name == "dates.yaml" and "triggers:" in line)


def test_shipped_speed_hints_change_no_result(rules_copy: Path, tmp_path: Path) -> None:
    """The shipped hints are sound on every article we have: the same dataset with and without them."""
    stripped = 0
    for path in rules_copy.rglob("*.yaml"):
        lines = path.read_text().splitlines(keepends=True)
        kept = [line for line in lines if not _is_speed_hint(path, line)]
        stripped += len(lines) - len(kept)
        path.write_text("".join(kept))
    assert stripped > 10
    outputs = []
    for rules in (default_rules_dir(), rules_copy):
        out = tmp_path / f"{len(outputs)}.nq"
        run = kgloader("extract", str(SEEDS), str(EXAMPLES), "-o", str(out), "--rules", str(rules))
        assert run.returncode == 0, run.stderr
        outputs.append(set(out.read_text().splitlines()))
    assert len(outputs[0]) > 1000
    assert outputs[0] == outputs[1]


def test_shipped_examples_all_pass() -> None:
    from loader.rules import load_rules
    from loader.rules.examples import run_examples

    rules = load_rules()
    assert sum(len(r.examples) for r in rules.ruleset.events) >= 15
    assert run_examples(rules) == []


def test_a_failing_example_names_its_file_line_and_rule(rules_copy: Path) -> None:
    relations = rules_copy / "relations.yaml"
    text = relations.read_text(encoding="utf-8")
    text = text.replace("gives: {visitor: 'Samir Haddad', place: 'Baghdad'}",
                        "gives: {visitor: 'Samir Haddad', place: 'Amman'}", 1)
    text = text.replace("'Foreign Minister Samir Haddad paid tribute to the victims in Amman.'",
                        "'Foreign Minister Samir Haddad paid a visit to Amman.'", 1)
    relations.write_text(text, encoding="utf-8")
    run = kgloader("rules", "check", str(rules_copy))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2, run.stderr
    assert "relations.yaml:" in lines[0] and "rule visit.arrived-in: example 1: wanted" in lines[0]
    assert "place=['Baghdad']" in lines[0]
    assert "rule visit.paid-visit-to: example 2: gives nothing, but the rule produced" in lines[1]


def test_rules_explain_shows_what_each_sentence_gave(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Talks\n\nForeign Minister Samir Haddad met with Iraqi Foreign Minister Karim al-Jabouri in "
                       "Amman on Sunday.\n\nThe plan met with criticism from Foreign Minister Samir Haddad and "
                       "Iraqi Foreign Minister Karim al-Jabouri.\n",
                       encoding="utf-8")
    run = kgloader("rules", "explain", str(article))
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "masked: Foreign Minister ⟨P Samir Haddad⟩ met with ⟨P Karim al-Jabouri⟩ in ⟨L Amman⟩ on Sunday." in out
    assert "matched meeting.met-with (meeting): objects=Karim al-Jabouri, subject=Samir Haddad" in out
    assert "kept meeting: Karim al-Jabouri / Samir Haddad; place=Amman (meeting.met-with)" in out
    second = out.split("[3]")[1]
    assert "allowed by a trigger, no match: meeting.met-with" in second and "kept meeting" not in second


def test_triggers_also_needs_a_word_of_each_list() -> None:
    from loader.rules import load_rules

    courier = next(c for c in load_rules().events if c.rule.id == "meeting.courier-delivered")
    assert not courier.applies(frozenset({"message"})) and not courier.applies(frozenset({"delivered"}))
    assert courier.applies(frozenset({"message", "delivered"}))


def test_an_empty_rules_folder_is_an_error(tmp_path: Path) -> None:
    run = kgloader("rules", "check", str(tmp_path))
    assert run.returncode == 2
    assert f"error: {tmp_path}: no rule files (.json, .yaml, .yml) in this folder" in run.stderr


def test_rules_check_finds_a_trigger_the_pattern_never_matches(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    relations = rules / "relations.yaml"
    text = relations.read_text(encoding="utf-8")
    assert "triggers: [arrived, arrives, landed, lands]" in text
    relations.write_text(text.replace("triggers: [arrived, arrives, landed, lands]", "triggers: [arrivd]"),
                         encoding="utf-8")
    run = kgloader("rules", "check", str(rules))
    assert run.returncode == 2
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "triggers: [arrived, arrives" in row)
    assert (f"{relations}:{line}: rule visit.arrived-in: trigger 'arrivd' appears nowhere in the pattern"
            in run.stderr), run.stderr
    assert kgloader("rules", "check").returncode == 0  # the shipped rules have no such trigger


def test_in_a_checkout_its_rules_are_used_and_named(tmp_path: Path) -> None:
    checkout = tmp_path / "kgloader"
    (checkout / "schema").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text('[project]\nname = "kgloader"\n', encoding="utf-8")
    shutil.copytree(default_rules_dir(), checkout / "schema" / "rules")
    with (checkout / "schema" / "rules" / "gazetteer" / "persons.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - {id: zorblax-quimby, type: Person, name: Zorblax Quimby, aliases: [Quimby]}\n")
    article = tmp_path / "talks.txt"
    article.write_text("Talks in Doha\n\nQuimby met with Ismail Haniyeh in Doha.\n", encoding="utf-8")

    check = kgloader("rules", "check", cwd=checkout)
    assert check.returncode == 0, check.stderr
    assert f"rules: {checkout / 'schema' / 'rules'} (this checkout's; the installed kgloader ships" in check.stdout
    extracted = kgloader("extract", str(article), "-o", str(tmp_path / "out.nq"), cwd=checkout / "schema")
    assert extracted.returncode == 0, extracted.stderr
    assert f"rules: {checkout / 'schema' / 'rules'} (this checkout's" in extracted.stderr
    assert "Zorblax Quimby" in (tmp_path / "out.nq").read_text(encoding="utf-8")

    elsewhere = kgloader("extract", str(article), "-o", str(tmp_path / "out.nq"), cwd=tmp_path)
    assert "(shipped with kgloader)" in elsewhere.stderr
    assert "Zorblax Quimby" not in (tmp_path / "out.nq").read_text(encoding="utf-8")


def test_a_process_takes_rules_edited_since_it_loaded_them(tmp_path: Path) -> None:
    """`kgloader schedule` loads many times in one process: rules edited between two runs are the ones the
    next run extracts with (and whose event kinds it writes), never the copy loaded before."""
    from loader.rules import load_kinds, load_rules

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    assert load_rules(rules).lookup("Hossein Salami Jr") == []
    before = load_kinds(rules)[1]
    gazetteer = rules / "gazetteer" / "persons.yaml"
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8").replace("aliases: [Salami]",
                                                                       "aliases: [Salami, Hossein Salami Jr]"))
    assert load_rules(rules).lookup("Hossein Salami Jr") != []
    assert load_kinds(rules)[1].content_hash != before.content_hash
