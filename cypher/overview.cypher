// name: overview
// description: What the graph holds: nodes per label, relationships per type, and the most connected entities.
// param: top = 10  How many of the most connected entities to list.
// Labels and types by count, most first; not the bookkeeping labels every node has (Resource), nor the
// records of load runs (LoadRun), nor the provenance
// relationships (ASSERTS: an article to each fact it asserts).
MATCH (n)
WHERE NOT n:LoadRun
UNWIND labels(n) AS label
WITH label, count(*) AS labelled
WHERE label <> 'Resource'
WITH label, labelled ORDER BY labelled DESC, label
RETURN 'label' AS kind, label AS name, labelled AS total
UNION ALL
MATCH ()-[r]->()
WHERE type(r) <> 'ASSERTS'
WITH type(r) AS relType, count(*) AS typed
ORDER BY typed DESC, relType
RETURN 'relationship' AS kind, relType AS name, typed AS total
UNION ALL
MATCH (e)-[r]-()
WHERE (e:Person OR e:Organization OR e:Place) AND type(r) <> 'ASSERTS'
WITH e, count(r) AS degree
ORDER BY degree DESC, e.name
LIMIT $top
RETURN 'entity' AS kind, e.name AS name, degree AS total
