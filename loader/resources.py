"""Where the shipped data lives: schema/ and cypher/ beside the package, or inside an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`schema` or `cypher`: the copy inside the package wins (wheel), else the source tree's."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kgloader data folder '{name}' not found next to {_PACKAGE}")


def default_rules_dir() -> Path:
    env = os.environ.get("KGLOADER_RULES")
    return Path(env) if env else data_dir("schema") / "rules"


def schema_file(name: str) -> Path:
    return data_dir("schema") / name
