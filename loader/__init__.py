"""kgloader: YAML rules turn news articles into RDF and load it into a property graph."""

__version__ = "0.1.0"
