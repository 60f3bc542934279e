"""The shipped rules on articles written for this project: new names, new titles, same genre."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLES

from loader.documents import read_article
from loader.extract import Extractor
from loader.model import Facts


@pytest.fixture(scope="module")
def examples(extractor: Extractor) -> dict[str, Facts]:
    return {p.stem: extractor.extract(read_article(p, extractor.rules)) for p in sorted(EXAMPLES.glob("*.txt"))}


def names(facts: Facts, ids) -> set[str]:
    return {facts.entities[i].name for i in ids}


def meetings(facts: Facts) -> dict[frozenset[str], tuple[str | None, str | None]]:
    return {frozenset(names(facts, m.parties)): (
        m.date and m.date.value, facts.entities[m.values["place"]].name if "place" in m.values else None)
            for m in facts.of_kind("meeting")}


def messages(facts: Facts) -> set[tuple[str, str]]:
    return {(facts.entities[m.parties[0]].name, facts.entities[m.parties[1]].name) for m in facts.of_kind("message")}


def roles(facts: Facts) -> set[tuple[str, str, str]]:
    return {(facts.entities[m.person].name, facts.entities[m.organization].name, m.role) for m in facts.memberships}


def test_unknown_people_are_found_by_title_and_counterpart(examples: dict[str, Facts]) -> None:
    facts = examples["amman-talks-2024"]
    assert {"Samir Haddad", "Karim al-Jabouri", "Lina Mansour", "Adel Rahimi"} <= {
        e.name for e in facts.entities.values() if e.kind == "Person"}
    assert meetings(facts)[frozenset({"Samir Haddad", "Karim al-Jabouri"})] == ("2024-03-03", "Amman")
    assert ("Samir Haddad", "Jordan", "foreign minister") in roles(facts)
    assert ("Adel Rahimi", "Abdullah II of Jordan") in messages(facts)
    assert facts.publisher and facts.entities[facts.publisher].name == "Petra"


def test_reply_and_original_letter_with_partial_date(examples: dict[str, Facts]) -> None:
    facts = examples["beirut-letter-2024"]
    assert facts.article.published == "2024-05-12"
    assert messages(facts) == {("Tarek Suleiman", "Nabil Karam"), ("Nabil Karam", "Tarek Suleiman")}
    reply = next(m for m in facts.of_kind("message") if facts.entities[m.parties[0]].name == "Nabil Karam")
    assert reply.answers == (next(iter(k for k, e in facts.entities.items() if e.name == "Tarek Suleiman")),
                             reply.parties[0])
    original = next(m for m in facts.of_kind("message") if m is not reply)
    assert original.date and (original.date.value, original.date.precision) == ("2024-04", "month")
    assert ("Tarek Suleiman", "Popular Resistance Front", "head of the political bureau") in roles(facts)
    assert meetings(facts)[frozenset({"Nabil Karam", "Rami Aoun"})] == ("2024-05-10", None)


def test_org_title_name_collapses_and_role_reference_resolves(examples: dict[str, Facts]) -> None:
    facts = examples["doha-mediation-2024"]
    assert facts.article.published is None
    found = meetings(facts)
    assert found[frozenset({"Mohammed bin Abdulrahman Al Thani", "Ismail Haniyeh"})] == (None, "Doha")
    # "The prime minister later met with ..." resolves to the only prime minister of the article
    assert frozenset({"Mohammed bin Abdulrahman Al Thani", "Abbas Kamel"}) in found
    assert ("Abbas Kamel", "Egypt", "intelligence chief") in roles(facts)
    assert not any("Hamas" in pair for pair in found)


def test_visit_meetings_with_dates_and_generic_role_reference(examples: dict[str, Facts]) -> None:
    facts = examples["tehran-visit-2023"]
    found = meetings(facts)
    assert found[frozenset({"Ismail Haniyeh", "Ebrahim Raisi"})] == ("2023-06-20", "Tehran")
    assert found[frozenset({"Ismail Haniyeh", "Ali Akbar Ahmadian"})][0] == "2023-06-19"
    assert frozenset({"Ismail Haniyeh", "Hossein Amir-Abdollahian"}) in found
    assert ("Ali Akbar Ahmadian", "Supreme National Security Council", "secretary") in roles(facts)
    assert ("Ebrahim Raisi", "Iran", "president") in roles(facts)


def test_letters_both_ways_with_weekday_dates(examples: dict[str, Facts]) -> None:
    facts = examples["letters-2021"]
    assert messages(facts) == {("Ali Khamenei", "Ismail Haniyeh"), ("Ali Khamenei", "Ziyad al-Nakhalah"),
                               ("Ismail Haniyeh", "Ali Khamenei"), ("Ziyad al-Nakhalah", "Ali Khamenei")}
    dates = {(facts.entities[m.parties[0]].name, facts.entities[m.parties[1]].name): m.date and m.date.value
             for m in facts.of_kind("message")}
    assert dates[("Ali Khamenei", "Ismail Haniyeh")] == "2021-05-24"
    assert dates[("Ismail Haniyeh", "Ali Khamenei")] == "2021-05-22"


def test_received_with_weekday_and_place(examples: dict[str, Facts]) -> None:
    facts = examples["leader-meets-haniyeh-2023"]
    assert meetings(facts) == {frozenset({"Ali Khamenei", "Ismail Haniyeh"}): ("2023-06-21", "Tehran")}


def test_boilerplate_after_end_marker_is_not_read(examples: dict[str, Facts]) -> None:
    facts = examples["leader-meets-haniyeh-2023"]
    last = facts.article.paragraphs[-1]
    assert "Related Articles" not in facts.article.text[facts.article.paragraphs[0].start:last.end]


def test_coreference_surname_title_and_pronoun(extract_text) -> None:
    facts = extract_text(
        "Envoy visits Baghdad\n\n"
        "Omani Foreign Minister Badr Albusaidi arrived in Baghdad on Sunday. "
        "Albusaidi said the region needed calm. He later met with Iraqi Prime Minister Rashid Talabani.\n")
    albusaidi = next(k for k, e in facts.entities.items() if e.name == "Badr Albusaidi")
    rules = {m.rule for m in facts.mentions if m.entity_id == albusaidi}
    assert any(r.startswith("coref:") for r in rules) and "coref.pronoun" in rules
    assert frozenset({"Badr Albusaidi", "Rashid Talabani"}) in meetings(facts)


def test_surname_alone_before_full_name_is_not_an_entity(extract_text) -> None:
    facts = extract_text("Talks\n\nKaram spoke first. Later, Speaker Nabil Karam said the talks went well.\n")
    karam = [m for m in facts.mentions if facts.entities[m.entity_id].name == "Nabil Karam"]
    assert [m.text for m in karam] == ["Nabil Karam"]


def test_evidence_points_at_the_sentence(examples: dict[str, Facts]) -> None:
    facts = examples["tehran-visit-2023"]
    for meeting in facts.of_kind("meeting"):
        for ev in meeting.evidence:
            assert facts.article.text[ev.sentence_start:ev.sentence_end] == ev.sentence
            assert ev.rule.startswith("meeting.")


def test_text_outside_rules_yields_no_events(extract_text) -> None:
    facts = extract_text("Weather\n\nIt rained in Tehran and Beirut on Monday, and the roads were closed.\n")
    assert not facts.events and not facts.memberships


def test_example_files_exist() -> None:
    assert len(list(Path(EXAMPLES).glob("*.txt"))) >= 6


def test_delegation_headed_by_and_dateline_with_country(extract_text) -> None:
    facts = extract_text("Nasrallah receives delegation\n\nTuesday 12 March 2024 - 10:00\n\n"
                         "BEIRUT, Lebanon (AP) — Hezbollah Secretary General Sayyed Hassan Nasrallah received a "
                         "Hamas delegation headed by Khalil al-Hayya on Monday.\n")
    assert facts.publisher == "associated-press"
    assert meetings(facts)[frozenset({"Hassan Nasrallah", "Khalil al-Hayya"})] == ("2024-03-11", None)
    assert ("Hassan Nasrallah", "Hezbollah", "secretary general") in roles(facts)


def test_org_unit_title_name_and_people_over_organisations(extract_text) -> None:
    facts = extract_text("Raisi writes to UN\n\nIranian Foreign Minister Hossein Amir-Abdollahian met with Hamas "
                         "political bureau chief Ismail Haniyeh in Doha. President Ebrahim Raisi, in a letter to "
                         "UN Secretary-General Antonio Guterres, called for action.\n")
    assert meetings(facts) == {frozenset({"Hossein Amir-Abdollahian", "Ismail Haniyeh"}): (None, "Doha")}
    assert ("Ismail Haniyeh", "Hamas", "chief of the political bureau") in roles(facts)
    # the headline's letter "to UN" is the body's letter to the UN's secretary-general
    assert messages(facts) == {("Ebrahim Raisi", "Antonio Guterres")}


@pytest.mark.parametrize(("text", "meeting", "letter", "role"), [
    ("Iran’s Foreign Minister Hossein Amir-Abdollahian and his Syrian counterpart Faisal Mekdad held talks in "
     "Damascus.", {"Hossein Amir-Abdollahian", "Faisal Mekdad"}, None, ("Hossein Amir-Abdollahian", "Iran")),
    ("Russian President Vladimir Putin hosted Iranian President Ebrahim Raisi on 7 December 2023.",
     {"Vladimir Putin", "Ebrahim Raisi"}, None, ("Vladimir Putin", "Russia")),
    ("Imam Khamenei received the head of the judiciary, Gholamhossein Mohseni-Ejei, on Tuesday.",
     {"Ali Khamenei", "Gholamhossein Mohseni-Ejei"}, None, None),
    ("The Secretary General of Hezbollah, Sayyed Hassan Nasrallah, wrote a letter to the leader of Ansarullah, "
     "Abdul-Malik al-Houthi.", None, ("Hassan Nasrallah", "Abdul-Malik al-Houthi"), ("Hassan Nasrallah", "Hezbollah")),
    ("Hamas spokesman Hazem Qassem said the movement welcomed the decision.", None, None, ("Hazem Qassem", "Hamas")),
    ("Ayatollah Khamenei wrote back to Ismail Haniyeh on Sunday.", None, ("Ali Khamenei", "Ismail Haniyeh"), None),
    ("President Raisi received a letter from Venezuelan President Nicolas Maduro.", None,
     ("Nicolas Maduro", "Ebrahim Raisi"), ("Nicolas Maduro", "Venezuela")),
])
def test_phrasings_of_the_genre(extract_text, text: str, meeting, letter, role) -> None:
    facts = extract_text(f"News\n\n{text}\n")
    assert set(meetings(facts)) == ({frozenset(meeting)} if meeting else set())
    assert messages(facts) == ({letter} if letter else set())
    if role:
        assert role in {(person, org) for person, org, _ in roles(facts)}


def test_place_is_where_the_event_happened_not_what_was_discussed(extract_text) -> None:
    facts = extract_text("Talks\n\nHaniyeh met with Ebrahim Raisi in Tehran on Monday to discuss developments in "
                         "Jenin. Later, Ismail Haniyeh met with Ali Akbar Ahmadian in order to discuss the "
                         "situation in the West Bank.\n")
    found = meetings(facts)
    assert found[frozenset({"Ismail Haniyeh", "Ebrahim Raisi"})][1] == "Tehran"
    assert found[frozenset({"Ismail Haniyeh", "Ali Akbar Ahmadian"})][1] is None


def test_envoy_of_a_leader_and_princely_names(extract_text) -> None:
    facts = extract_text("News\n\nPresident Masoud Pezeshkian received Hamas leader Yahya Sinwar's envoy, Khalil "
                         "al-Hayya, in Tehran. Foreign Minister Abbas Araghchi later met with his Saudi counterpart "
                         "Prince Faisal bin Farhan.\n")
    found = meetings(facts)
    assert found[frozenset({"Masoud Pezeshkian", "Khalil al-Hayya"})] == (None, "Tehran")
    assert frozenset({"Abbas Araghchi", "Faisal bin Farhan"}) in found
    assert not any("Yahya Sinwar" in pair for pair in found)


def test_pronoun_is_the_subject_not_the_nearest_name(extract_text) -> None:
    facts = extract_text("Trip\n\nHossein Amir-Abdollahian held talks with Lebanese Prime Minister Najib Mikati and "
                         "Parliament Speaker Nabih Berri. The Iranian top diplomat had earlier visited Baghdad, where "
                         "he met with Iraqi Prime Minister Mohammed Shia al-Sudani.\n")
    found = meetings(facts)
    assert found[frozenset({"Hossein Amir-Abdollahian", "Mohammed Shia al-Sudani"})] == (None, "Baghdad")
    assert frozenset({"Nabih Berri", "Mohammed Shia al-Sudani"}) not in found


def test_generic_organisation_words_name_no_organisation(extract_text) -> None:
    facts = extract_text("Statement\n\nThe Foreign Ministry said the Supreme Council would meet, while the Popular "
                         "Resistance Committees welcomed the move.\n")
    names = {e.name for e in facts.entities.values() if e.kind == "Organization"}
    assert names == {"Popular Resistance Committees"}


def test_bare_surname_and_title_synonyms(extract_text) -> None:
    facts = extract_text("Visit\n\nAyatollah Khamenei received Iraqi Prime Minister Mohammed Shia al-Sudani in Tehran. "
                         "Earlier, Raisi and Sudani held talks. The Iraqi premier also met with Parliament Speaker "
                         "Mohammad Bagher Ghalibaf.\n")
    found = set(meetings(facts))
    assert {frozenset({"Ali Khamenei", "Mohammed Shia al-Sudani"}), frozenset({"Ebrahim Raisi",
            "Mohammed Shia al-Sudani"}), frozenset({"Mohammad Bagher Ghalibaf", "Mohammed Shia al-Sudani"})} == found


def test_names_that_are_also_common_words_need_their_capitals(extract_text) -> None:
    facts = extract_text("News\n\nThe gallant fighters changed a tyre near Tyre. They want an Islamic state, unlike "
                         "the Islamic State. Yoav Gallant said so; Gallant added more.\n")
    assert [(m.text, m.entity_id) for m in facts.mentions] == [
        ("Tyre", "tyre"), ("Islamic State", "islamic-state"), ("Yoav Gallant", "yoav-gallant"),
        ("Gallant", "yoav-gallant")]


def test_non_entities_and_coordinated_subjects(extract_text) -> None:
    facts = extract_text("News\n\nThe Al-Aqsa Storm operation surprised Israel. Hamas chief Ismail Haniyeh and "
                         "Islamic Jihad leader Ziyad al-Nakhalah met in Beirut with Hezbollah Secretary General "
                         "Sayyed Hassan Nasrallah.\n")
    assert "al-aqsa-mosque" not in facts.entities
    found = meetings(facts)
    assert found[frozenset({"Ismail Haniyeh", "Hassan Nasrallah"})] == (None, "Beirut")
    assert found[frozenset({"Ziyad al-Nakhalah", "Hassan Nasrallah"})] == (None, "Beirut")


@pytest.mark.parametrize(("text", "expected"), [
    ("Netanyahu's plan met with fierce criticism from Hamas.", set()),
    ("The proposal by Antony Blinken was met with strong opposition from Hezbollah.", set()),
    ("Raisi was met by Putin at the airport.", {frozenset({"Ebrahim Raisi", "Vladimir Putin"})}),
])
def test_met_with_criticism_is_no_meeting(extract_text, text: str, expected: set) -> None:
    assert set(meetings(extract_text(f"News\n\n{text}\n"))) == expected


def test_military_ranks_and_ambassadors(extract_text) -> None:
    facts = extract_text("News\n\nCommander of the IRGC Quds Force Brigadier General Esmail Qaani visited Beirut. "
                         "Iran's ambassador to Lebanon Mojtaba Amani was injured. Hezbollah Secretary General Naim "
                         "Qassem spoke.\n")
    assert ("Esmail Qaani", "Quds Force", "commander") in roles(facts)
    assert ("Naim Qassem", "Hezbollah", "secretary general") in roles(facts)
    assert "Mojtaba Amani" in {e.name for e in facts.entities.values()}


def test_subject_and_verb_may_be_parted_by_brackets_and_colons(extract_text) -> None:
    """{MARK} inside a character class ([^{MARK}.]) once excluded '(', '?', ':' and ')' as well."""
    facts = extract_text("Talks in Doha\n\nIsmail Haniyeh (in Doha since 2019) met with Ebrahim Raisi on Monday.\n")
    assert set(meetings(facts)) == {frozenset({"Ismail Haniyeh", "Ebrahim Raisi"})}


def test_workers_inherit_the_compiled_patterns_and_the_parent_lets_go() -> None:
    """With a pool, the parent compiles every pattern once before forking, so that no worker compiles its
    own copy (about a second of CPU each); then it forgets the rules, which its workers hold for it (the
    parent only writes: most of a load's memory was rules it never used again)."""
    import subprocess
    import sys

    script = (
        "from pathlib import Path\n"
        "from loader import rules as r\n"
        "from loader.pipeline import extract_paths\n"
        "def compiled_in_worker(facts, kinds):\n"
        "    rules = r.load_rules()\n"
        "    groups = (*rules.gated.values(), rules.published, rules.datelines, rules.end_markers)\n"
        "    return all(c._regex is not None for g in groups for c in g), 0\n"
        f"files = sorted(Path({str(EXAMPLES)!r}).glob('*.txt'))[:4]\n"
        "outcomes = list(extract_paths(files, None, 2, compiled_in_worker))\n"
        "print(all(o.ok and o.result for o in outcomes), r._load.cache_info().currsize)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["True", "0"]


FRESH_WORKERS_SCRIPT = """
import sys
from pathlib import Path

def modules_in_worker(facts, kinds):
    return [name for name in ("neo4j", "loader.graph.neo4j_store") if name in sys.modules], 0

if __name__ == "__main__":
    import neo4j  # noqa: F401 - the loading process holds the graph client
    from loader import rules as r
    from loader.pipeline import extract_paths
    r.load_rules()  # in the cache now
    r.release_rules()
    files = sorted(Path(sys.argv[1]).glob("*.txt"))[:4]
    outcomes = list(extract_paths(files, None, 2, modules_in_worker, fresh_workers=True))
    carried = {",".join(o.result) or "-" for o in outcomes if o.ok}
    print(" ".join(sorted(carried)), r._load.cache_info().misses, len(outcomes))
"""


# printed: the modules a worker found imported ("-" none), how often the parent loaded the rules since it let
# go of them (forked workers: it lets go once they are forked), the outcomes
@pytest.mark.parametrize(("cache", "want"), [("on", ["-", "0", "4"]), ("off", ["neo4j", "0", "4"])])
def test_a_loads_workers_start_fresh_without_its_graph_client(tmp_path: Path, cache: str, want: list[str]) -> None:
    """A load's process holds the graph driver (`import neo4j` alone is 30 MB) and writes; its workers start
    from a new interpreter instead of being forked from it, so none of them carries the driver, and the
    loading process never loads the gazetteer or compiles a pattern (the workers load the cached rules).
    Without a rules cache each worker would compile the YAML again: they are forked from the process that
    compiled the rules once, driver and all."""
    import subprocess
    import sys

    import loader

    script = tmp_path / "load_like.py"
    script.write_text(FRESH_WORKERS_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(loader.__file__).parent.parent)}  # the kgloader under test
    if cache == "off":
        env["KGLOADER_CACHE_DIR"] = "off"
    run = subprocess.run([sys.executable, str(script), str(EXAMPLES)], capture_output=True, text=True, env=env)
    assert run.stdout.split() == want, run.stderr[-2000:]


BROKEN_RULES_SCRIPT = """
import sys
from pathlib import Path

from loader import pipeline

pipeline._init_worker(Path(sys.argv[1]), None)  # a worker whose rules were edited into an error meanwhile
print(pipeline._extract_one(Path(sys.argv[2])).problem)
"""


def test_a_worker_whose_rules_fail_says_so_for_each_article(tmp_path: Path) -> None:
    """The parent checks the rules before its workers start; rules edited into an error in between fail in
    the worker, which must not raise (a pool restarts a worker whose initializer raises, forever): each of its
    articles is reported failed, with the reason."""
    import shutil
    import subprocess
    import sys

    import loader
    from loader.resources import default_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    (rules / "relations.yaml").write_text("macros: [not, a, mapping\n", encoding="utf-8")
    script = tmp_path / "worker.py"
    script.write_text(BROKEN_RULES_SCRIPT)
    article = sorted(EXAMPLES.glob("*.txt"))[0]
    env = {**os.environ, "PYTHONPATH": str(Path(loader.__file__).parent.parent)}
    run = subprocess.run([sys.executable, str(script), str(rules), str(article)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith(f"{article}: not extracted, the rules could not be loaded: "), run.stdout
    assert "relations.yaml" in run.stdout
