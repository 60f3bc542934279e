"""The mapping file's schema (schema/mapping.yaml): read and validated here, problems naming file and line.

Kept apart from the map stage (loader/graph/mapping.py), which is compiled with mypyc: a pydantic model is a
class mypyc cannot compile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from loader.errors import RuleError, RuleProblem
from loader.rules.yamlfile import ProblemError, line_of, read_yaml


class MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    naming: Literal["readable", "shorten", "ignore"] = "readable"
    resource_label: str = "Resource"
    provenance_property: str = "kgSupport"
    provenance_relationship: str = "ASSERTS"
    prefixes: dict[str, str] = {}
    labels: dict[str, str] = {}
    relationships: dict[str, str] = {}
    properties: dict[str, str] = {}
    multivalued: list[str] = Field(default_factory=list)
    # n10s's graph config options (README, "n10s options"): multivalued properties, language tags, rdf:type
    handle_multival: Literal["AUTO", "OVERWRITE", "ARRAY"] = "AUTO"
    keep_lang_tag: bool = True
    handle_rdf_types: Literal["LABELS", "NODES", "LABELS_AND_NODES"] = "LABELS"


def read_mapping_file(path: Path) -> MappingFile:
    """The file's content, validated; problems name file, line and entry (RuleError, exit 2)."""
    try:
        raw = read_yaml(path)
    except ProblemError as exc:
        raise RuleError([exc.problem]) from exc
    try:
        return MappingFile.model_validate(raw or {})
    except ValidationError as exc:
        raise RuleError([RuleProblem(str(path), line_of(path, tuple(e["loc"])), None,
                                     f"{'.'.join(map(str, e['loc']))}: {e['msg']}") for e in exc.errors()]) from exc
