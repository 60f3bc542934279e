"""The namespaces of the contract's RDF, shared by the rules (CURIEs in declarations) and the RDF stage."""

SCHEMA = "http://schema.org/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KG = "https://w3id.org/kgloader/ns#"
ID = "https://w3id.org/kgloader/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
PREFIXES = {"schema": SCHEMA, "org": ORG, "prov": PROV, "skos": SKOS, "kg": KG, "xsd": XSD, "rdfs": RDFS,
            "owl": OWL}
