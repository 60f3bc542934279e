"""Shared fixtures: the shipped rules, the project's example articles, the user's seeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loader.documents import parse_article
from loader.extract import Extractor
from loader.model import Facts
from loader.rules import CompiledRules, load_rules

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "corpus" / "seeds.gold.yaml"
SCORE = SHARED / "eval" / "score.py"


@pytest.fixture(scope="session")
def rules() -> CompiledRules:
    return load_rules()


@pytest.fixture(scope="session")
def extractor(rules: CompiledRules) -> Extractor:
    return Extractor(rules)


@pytest.fixture()
def extract_text(extractor: Extractor):
    """Extract facts from a text written in the test itself."""

    def run(text: str, name: str = "inline.txt") -> Facts:
        return extractor.extract(parse_article(name, name, text.encode("utf-8"), extractor.rules))

    return run


def kgloader(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a child process."""
    return subprocess.run([sys.executable, "-m", "loader", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, input=stdin, timeout=600)
