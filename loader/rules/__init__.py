"""Rules stage input: YAML in schema/rules → validated RuleSet → CompiledRules."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
from functools import lru_cache
from pathlib import Path

import regex

from loader.errors import RuleError
from loader.resources import default_rules_dir, rules_origin
from loader.rules import cache
from loader.rules.compiled import CompiledRules, KindSpec, event_kinds
from loader.rules.ruleset import RuleSet, load_ruleset

__all__ = ["CompiledRules", "RuleSet", "load_kinds", "load_rules", "release_rules", "rules_cached"]
log = logging.getLogger("kgloader")


# Both caches are keyed by the rule files' hash too: a process that runs many loads (`kgloader schedule`)
# takes rules edited between two runs, never the copy it loaded before.
@lru_cache(maxsize=4)
def _load(directory: Path, content_hash: str) -> CompiledRules:
    hit = cache.load(directory, content_hash)
    if hit is not None:
        compiled = CompiledRules(*hit)
    else:
        compiled = CompiledRules(load_ruleset(directory))
        compiled.ruleset = cache.slim(compiled.ruleset)  # the entity rules' models freed before pickling
        gc.collect()
        cache.save(compiled)
    # the rules live as long as the process: half a million objects (the world gazetteer) that every full
    # collection walked again, 0.3 s each, more of them the longer an article (profiled on a 1 MB one)
    gc.freeze()
    _announce(directory, content_hash)
    return compiled


_announced: set[tuple[Path, str]] = set()


def _announce(directory: Path, content_hash: str) -> None:
    """Which rules a process uses, said once (it may read their kinds, then load them whole)."""
    if (directory, content_hash) not in _announced:
        _announced.add((directory, content_hash))
        log.info("rules: %s (%s)", directory, rules_origin(directory))


@lru_cache(maxsize=4)
def _load_kinds(directory: Path, content_hash: str) -> tuple[dict[str, KindSpec], RuleSet]:
    hit = cache.load(directory, content_hash, gazetteer=False)
    if hit is None:  # rules not cached yet: compiled (and cached) whole
        rules = _load(directory, content_hash)
        kinds, ruleset = rules.kinds, rules.ruleset
        if cache.known(directory, content_hash):  # cached now: whoever extracts loads them from there; let go
            del rules
            release_rules()
        return kinds, ruleset
    ruleset = hit[0]
    kinds, problems = event_kinds(ruleset)
    if problems:  # not reached: the cache holds validated rules only
        raise RuleError(problems)
    _announce(directory, content_hash)
    return kinds, ruleset


def rules_cached(directory: Path | None = None) -> bool:
    """True when these rules are in the cache (validated when they were put there): a process may then leave
    loading them to its workers."""
    return cache.known((directory or default_rules_dir()).resolve())


def load_kinds(directory: Path | None = None) -> tuple[dict[str, KindSpec], RuleSet]:
    """The rules' event kinds and their rule set (for its origins), without the gazetteer or the patterns:
    what a process that only writes needs of the rules (a small part of the cache file), while its workers
    extract. Rules not cached yet are compiled whole first (and let go once cached)."""
    resolved = (directory or default_rules_dir()).resolve()
    return _load_kinds(resolved, cache.content_hash(resolved))


def release_rules() -> None:
    """Forget the rules this process loaded and give their memory back (a parent whose workers were forked
    with them holds them for nothing: most of a run's memory). Loading them again reads the cache."""
    _load.cache_clear()
    regex.purge()  # regex's own cache of compiled patterns holds every one the rules compiled (~20 MB)
    gc.unfreeze()  # _load froze the rules out of the collector; their cycles need it back
    gc.collect()
    gc.freeze()  # what stays (the imported modules) again spared every full collection of the writes
    _trim_heap()


def _trim_heap() -> None:
    """Return freed heap pages to the system (glibc's malloc_trim; nothing elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def load_rules(directory: Path | None = None) -> CompiledRules:
    """Load, validate and compile a rules directory (cached per process)."""
    resolved = (directory or default_rules_dir()).resolve()
    return _load(resolved, cache.content_hash(resolved))
