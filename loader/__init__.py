"""kgloader: YAML rules turn news articles into RDF and load it into a property graph."""

__version__ = "0.1.0"


def build() -> str:
    """How the extraction path runs: "compiled" (a wheel built with mypyc, see pyproject.toml) or
    "pure Python" (an editable install, or COMPILE=0): the same code and results, at different speeds."""
    from loader.extract import entities

    return "pure Python" if entities.__file__.endswith(".py") else "compiled"
