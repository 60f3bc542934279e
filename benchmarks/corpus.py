"""Generated corpora for the benchmarks: a big gazetteer and many genre-like articles."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from loader.resources import default_rules_dir

FIRST = ["Amir", "Hassan", "Karim", "Leila", "Nadia", "Omar", "Rami", "Samir", "Tarek", "Yusuf", "Zainab",
         "Farid", "Hadi", "Jamal", "Khalil", "Mona", "Nabil", "Rania", "Salim", "Walid", "Bashir", "Dalia"]
LAST = ["Haddad", "Karam", "Mansour", "Saleh", "Aoun", "Darwish", "Khoury", "Nasser", "Rahimi", "Tabari",
        "Jabouri", "Hamdan", "Qasemi", "Shirazi", "Taheri", "Barzani", "Kazemi", "Farahani", "Moradi", "Sadeghi"]
TITLES = ["Foreign Minister", "Defence Minister", "Prime Minister", "President", "Speaker", "Commander"]
ORGS = ["Hamas", "Hezbollah", "the Islamic Revolution Guards Corps", "the Arab League", "the United Nations"]
PLACES = ["Tehran", "Beirut", "Doha", "Amman", "Cairo", "Baghdad", "Damascus", "Muscat"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
COUNTRIES = ["Iranian", "Iraqi", "Jordanian", "Lebanese", "Qatari", "Egyptian", "Syrian", "Omani"]


SYLLABLES = ["ba", "da", "fa", "ha", "ja", "ka", "la", "ma", "na", "ra", "sa", "ta", "za", "bi", "di", "hi", "ki",
             "li", "mi", "ni", "ri", "si", "zi", "bu", "du", "hu", "ku", "mu", "nu", "ru", "su", "shi", "kha", "gha"]


def person_names(count: int, seed: int = 7) -> list[str]:
    """Distinct names written as names are (letters only, capitalised: `Samir Kabarani`), so that the rules
    recognise them as persons; a digit in a name (as these once had) makes it no name at all."""
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))).capitalize()
        # "al-" and an ending no place name of the world gazetteer shares: an alias names one entity
        names.add(f"{rng.choice(FIRST)} al-{stem}{rng.choice(['wani', 'rawi', 'dabi', 'hazi'])}")
    out = sorted(names)
    rng.shuffle(out)  # the most named (first, see `article`) are not all of one first name
    return out


def recognised_corpus(root: Path, articles: int, aliases: int = 10_000, seed: int = 11,
                      first_index: int = 0) -> tuple[Path, Path]:
    """Rules with a generated gazetteer of `aliases` aliases (the shipped rules plus the names), and `articles`
    articles naming those persons, so that every generated name is recognised: persons, meetings, letters,
    positions and mentions, as in the real articles. Returns (rules folder, corpus folder)."""
    rules, names = rules_with_gazetteer(root / "rules", aliases)
    corpus = root / "corpus"
    write_corpus(corpus, 0, names, seed=seed, articles=articles, first_index=first_index)
    return rules, corpus


def rules_with_gazetteer(target: Path, aliases: int) -> tuple[Path, list[str]]:
    """A copy of the shipped rules plus a generated gazetteer of `aliases` aliases (name + surname each)."""
    shutil.copytree(default_rules_dir(), target, dirs_exist_ok=True)
    names = person_names(aliases // 2)
    entities = [{"id": f"gen-{i}", "type": "Person", "name": n, "aliases": [n.split()[1]]}
                for i, n in enumerate(names)]
    (target / "gazetteer" / "generated.yaml").write_text(yaml.safe_dump({"entities": entities}, width=200))
    return target, names


def article(rng: random.Random, names: list[str], index: int, filler: int = 3) -> str:
    # a few people are in the news every day, most rarely (Zipf-like): shared facts, as in real news
    a, b, c = (names[min(int(rng.paretovariate(0.8)) - 1, len(names) - 1)] if rng.random() < 0.5
               else rng.choice(names) for _ in range(3))
    if len({a, b, c}) < 3:
        a, b, c = rng.sample(names, 3)
    place = rng.choice(PLACES)
    day = rng.randrange(1, 28)
    month = rng.choice(MONTHS)
    paragraphs = [
        f"{rng.choice(COUNTRIES)} officials hold talks in {place} ({index})",
        f"{rng.choice(DAYS)} {day} {month} 2024 - 1{rng.randrange(0, 9)}:{rng.randrange(10, 59)}",
        f"{place.upper()} (Tasnim) – {rng.choice(COUNTRIES)} {rng.choice(TITLES)} {a} met with "
        f"{rng.choice(TITLES)} {b} in {place} on {rng.choice(DAYS)} to discuss regional developments.",
        f"{a.split()[1]} said that the talks with {rng.choice(ORGS)} had been constructive and that both "
        f"sides would meet again in {rng.choice(MONTHS)}.",
        f"In a letter to {c}, {a} thanked the people of {rng.choice(PLACES)} for their support. "
        f"{c.split()[1]} later wrote to {b} about the situation in Gaza and the West Bank.",
        f"{b}, head of the political bureau of {rng.choice(ORGS)}, stressed the importance of unity. "
        "Observers said the meeting was the first of its kind this year, and that more were planned.",
    ]
    padding = ("Analysts noted that the visit came amid growing diplomatic activity in the region, with "
              "several delegations expected in the coming weeks to discuss trade, security and reconstruction. ")
    paragraphs += [padding * rng.randrange(3, 8) for _ in range(filler)]
    paragraphs += ["Related Articles", "Share it:"]
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, megabytes: float, names: list[str], seed: int = 11, articles: int | None = None,
                 filler: int = 3, first_index: int = 0) -> int:
    """Write articles into `folder` until they hold `megabytes` MB (or `articles` articles); returns bytes.
    `first_index` numbers the files on from an earlier batch (and changes what they say)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + first_index)
    total, index = 0, first_index
    while (total < megabytes * 1_000_000) if articles is None else (index - first_index < articles):
        text = article(rng, names, index, filler).encode()
        (folder / f"article-{index:06d}.txt").write_bytes(text)
        total += len(text)
        index += 1
    return total


def copy_corpus(folder: Path, megabytes: float, source: Path) -> int:
    """Copies of the articles in `source` (each a new file) until they hold `megabytes` MB; returns bytes.
    Nothing in extraction is remembered from one article to the next, so a copy costs what the original does."""
    originals = sorted(p for p in source.iterdir() if p.is_file() and p.suffix == ".txt")
    if not originals:
        raise SystemExit(f"{source}: no .txt articles")
    folder.mkdir(parents=True, exist_ok=True)
    total, index = 0, 0
    while total < megabytes * 1_000_000:
        original = originals[index % len(originals)]
        data = original.read_bytes()
        (folder / f"copy-{index:06d}-{original.name}").write_bytes(data)
        total += len(data)
        index += 1
    return total
