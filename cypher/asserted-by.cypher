// name: asserted-by
// description: Which sources (articles, RDF files) assert a node, and the relationships each asserts out of it.
// param: fact = ""  The node's IRI, name or headline (a name matches any node whose name contains it); empty: every node.
// param: limit = 100  How many rows.
// Provenance is one ASSERTS relationship from each source's record (its NewsArticle, or an RDF file's RdfSource)
// to every node the source asserts: one step back from any node, however many sources share it.
MATCH (record)-[said:ASSERTS]->(fact:Resource)
WHERE $fact = '' OR fact.uri = $fact OR toLower(coalesce(fact.name, fact.headline, '')) CONTAINS toLower($fact)
RETURN coalesce(fact.name, fact.headline, fact.uri) AS fact, fact.uri AS uri,
       coalesce(record.identifier, record.uri) AS source, record.headline AS headline,
       [entry IN coalesce(said.kgRels, []) | split(entry, '\t')[0] + ' ' + split(entry, '\t')[1]] AS asserts
ORDER BY fact, source
LIMIT $limit
