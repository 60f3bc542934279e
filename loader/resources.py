"""Where the shipped data lives: schema/ and cypher/ beside the package, or inside an installed wheel."""

from __future__ import annotations

import os
import re
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_NAMED = re.compile(r'(?m)^name\s*=\s*"kgloader"\s*$')


def data_dir(name: str) -> Path:
    """`schema` or `cypher`: the copy inside the package wins (wheel), else the source tree's."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kgloader data folder '{name}' not found next to {_PACKAGE}")


def default_rules_dir() -> Path:
    """$KGLOADER_RULES; else, inside a kgloader checkout, the checkout's schema/rules (edited there, they are
    what runs); else the rules shipped with the installed package."""
    env = os.environ.get("KGLOADER_RULES")
    if env:
        return Path(env)
    return checkout_rules_dir() or data_dir("schema") / "rules"


def checkout_rules_dir(start: Path | None = None) -> Path | None:
    """schema/rules of the kgloader checkout holding `start` (default: the current folder), if any."""
    try:
        folder = (start or Path.cwd()).resolve()
    except OSError:  # the current folder was removed
        return None
    for candidate in (folder, *folder.parents):
        project, rules = candidate / "pyproject.toml", candidate / "schema" / "rules"
        if rules.is_dir() and project.is_file() and _NAMED.search(project.read_text("utf-8", errors="replace")):
            return rules
    return None


def rules_origin(directory: Path) -> str:
    """Where a rules folder comes from, in words: for every command's `rules: DIR (...)` line."""
    directory = directory.resolve()
    if os.environ.get("KGLOADER_RULES") and directory == Path(os.environ["KGLOADER_RULES"]).resolve():
        return "from $KGLOADER_RULES"
    shipped = (data_dir("schema") / "rules").resolve()
    if directory == shipped:
        return "shipped with kgloader"
    if directory == checkout_rules_dir():
        return f"this checkout's; the installed kgloader ships {shipped}"
    return "given with --rules"


def schema_file(name: str) -> Path:
    return data_dir("schema") / name
