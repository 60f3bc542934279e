// name: asserted-by
// draws: each node and the sources (articles, RDF files) that assert it
MATCH (record)-[said:ASSERTS]->(fact:Resource)
WHERE $fact = '' OR fact.uri = $fact OR toLower(coalesce(fact.name, fact.headline, '')) CONTAINS toLower($fact)
WITH record, said, fact
ORDER BY coalesce(fact.name, fact.headline, fact.uri), coalesce(record.identifier, record.uri)
LIMIT $limit
RETURN [record, fact] AS nodes, [said] AS rels
