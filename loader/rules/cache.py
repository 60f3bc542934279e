"""The parsed rules and the compiled gazetteer, cached on disk by the rules' content hash.

With the world gazetteer (some 34,000 places) parsing, validating and building the Aho-Corasick
automaton costs seconds; every `kgloader` run, worker process and test would pay it. The cache
holds the validated RuleSet, the entities and the automaton, keyed by the rule files' bytes, the
package version and its build (pure or compiled), so a changed rule file is a miss, never stale.
Where: `$KGLOADER_CACHE_DIR`, else `$XDG_CACHE_HOME/kgloader`, else `~/.cache/kgloader`;
`KGLOADER_CACHE_DIR=off` turns it off. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from dataclasses import fields, replace
from pathlib import Path

from loader.model import Entity
from loader.rules.compiled import CompiledRules, Gazetteer
from loader.rules.ruleset import RuleSet, rule_files

log = logging.getLogger(__name__)
KEEP = 8  # cache files kept: a few rule sets (shipped, a test's, a benchmark's) without growing forever
FORMAT = 6  # 4: gazetteer words packed as flat tuples; 5: entities carry capital_of; 6: ruleset, then gazetteer


def cache_dir() -> Path | None:
    env = os.environ.get("KGLOADER_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kgloader"


def content_hash(directory: Path) -> str:
    """The same digest as `load_ruleset` computes: every rule file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in rule_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _path(folder: Path, rules_hash: str) -> Path:
    from loader import __version__, build

    key = hashlib.sha256(f"{FORMAT}\0{__version__}\0{build()}\0{sys.version}\0{rules_hash}".encode()).hexdigest()
    return folder / f"rules-{key[:40]}.pickle"


def known(directory: Path, rules_hash: str | None = None) -> bool:
    """True when these rules are cached: they were validated and compiled before, unchanged since.
    `rules_hash`: their content_hash, where the caller has it already."""
    folder = cache_dir()
    return folder is not None and _path(folder, rules_hash or content_hash(directory)).exists()


def load(directory: Path, rules_hash: str, gazetteer: bool = True) -> tuple[RuleSet, Gazetteer | None] | None:
    """(ruleset, gazetteer) cached for these rules, with paths pointing into `directory`; None on a miss.
    The ruleset comes without its entity rules (`entities_compiled_only`): the gazetteer holds them.
    `gazetteer` False: the ruleset alone (its event kinds, say), without reading the gazetteer (most of
    the file, and of the memory), which is then None."""
    folder = cache_dir()
    if folder is None:
        return None
    path = _path(folder, rules_hash)
    try:
        with path.open("rb") as handle:
            ruleset = pickle.load(handle)  # two pickles in a row: the small one is read alone
            if not isinstance(ruleset, RuleSet) or ruleset.content_hash != rules_hash:
                return None
            packed = pickle.load(handle) if gazetteer else None
        with contextlib.suppress(OSError):  # a cache someone else owns, or read-only, is still a cache
            os.utime(path)  # recently used: kept by the pruning
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuild
        log.debug("rules cache %s unreadable: %s", path, exc)
        return None
    built = None
    if packed is not None:
        entities, automaton, cues, persons = packed
        built = Gazetteer({e[0]: Entity(*e) for e in entities}, automaton, cues, persons)
    if ruleset.directory != directory:  # the same rules copied elsewhere: errors name this copy
        old = ruleset.directory
        ruleset.files = [directory / p.relative_to(old) for p in ruleset.files]
        ruleset.origins = {k: replace(o, path=directory / o.path.relative_to(old)) for k, o in ruleset.origins.items()}
        ruleset.directory = directory
    return ruleset, built


def slim(ruleset: RuleSet) -> RuleSet:
    """The rule set without its entity rules (some 34,000 with the world's places) and their origins: once
    compiled, what extraction needs of them is in the gazetteer. What the cache holds, and what a process
    keeps after compiling, so that a cache miss and a hit leave the same rules in memory."""
    if not ruleset.entities:
        return ruleset
    return ruleset.model_copy(update={
        "entities": [], "entities_compiled_only": len(ruleset.entities),
        "origins": {k: o for k, o in ruleset.origins.items() if k[0] != "entities"}})


def save(compiled: CompiledRules) -> None:
    """Cache compiled rules whose rule set is already `slim`."""
    folder = cache_dir()
    if folder is None:
        return
    ruleset = slim(compiled.ruleset)
    # the entities as tuples of their fields in order (Entity(*fields) on load): a slotted dataclass
    # unpickles through Python code, ten times slower
    names = [f.name for f in fields(Entity)]
    entities = [tuple(getattr(e, name) for name in names) for e in compiled.entities.values()]
    path = _path(folder, ruleset.content_hash)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=".rules-", delete=False) as handle:
            pickle.dump(ruleset, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump((entities, compiled.automaton, compiled.context_cues, compiled.person_names),
                        handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        _prune(folder)
    except Exception as exc:  # read-only home, objects that do not pickle: run without the cache
        log.debug("rules cache %s not written: %s", path, exc)
        with_name = locals().get("handle")
        if with_name is not None:
            Path(with_name.name).unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
