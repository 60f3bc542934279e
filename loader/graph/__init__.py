"""Map RDF to a property graph and write it to a graph store (Neo4j or embedded FalkorDB)."""
