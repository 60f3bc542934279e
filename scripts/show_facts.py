"""Print what the rules extract from articles: a quick look while writing rules."""

from __future__ import annotations

import sys
from pathlib import Path

from loader.documents import read_article
from loader.extract import Extractor
from loader.rules import load_rules


def main() -> None:
    rules = load_rules()
    extractor = Extractor(rules)
    for name in sys.argv[1:]:
        facts = extractor.extract(read_article(Path(name), rules))
        art = facts.article
        print(f"== {art.identifier}: published={art.published} publisher={facts.publisher}")
        print("   entities:", ", ".join(sorted(f"{e.name}<{e.schema_class}>" for e in facts.entities.values())))
        for e in facts.events:
            print("  ", e.kind.upper(), " / ".join(e.parties), e.date and e.date.value, e.values or "",
                  e.answers or "", [ev.rule for ev in e.evidence])
        for m in facts.memberships:
            print("   ROLE", m.person, m.organization, repr(m.role), [e.rule for e in m.evidence])
        if "-v" in sys.argv:
            for m in facts.mentions:
                print("     mention", m.entity_id, repr(m.text), m.rule)


if __name__ == "__main__":
    main()
