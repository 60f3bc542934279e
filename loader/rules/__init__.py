"""Rules stage input: YAML in schema/rules → validated RuleSet → CompiledRules."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from loader.resources import default_rules_dir
from loader.rules import cache
from loader.rules.compiled import CompiledRules
from loader.rules.ruleset import RuleSet, load_ruleset

__all__ = ["CompiledRules", "RuleSet", "load_rules"]


@lru_cache(maxsize=4)
def _load(directory: Path) -> CompiledRules:
    hit = cache.load(directory, cache.content_hash(directory))
    if hit is not None:
        return CompiledRules(*hit)
    compiled = CompiledRules(load_ruleset(directory))
    cache.save(compiled)
    return compiled


def load_rules(directory: Path | None = None) -> CompiledRules:
    """Load, validate and compile a rules directory (cached per process)."""
    return _load((directory or default_rules_dir()).resolve())
