// name: overview
// description: What the graph holds: nodes per label, relationships per type, and the most connected entities.
// param: top = 10  How many of the most connected entities to list.
MATCH (n)
UNWIND labels(n) AS label
WITH label, count(*) AS labelled
WHERE label <> 'Resource'
RETURN 'label' AS kind, label AS name, labelled AS total
UNION ALL
MATCH ()-[r]->()
RETURN 'relationship' AS kind, type(r) AS name, count(*) AS total
UNION ALL
MATCH (e)-[r]-()
WHERE e:Person OR e:Organization OR e:Place
WITH e, count(r) AS degree
ORDER BY degree DESC, e.name
LIMIT $top
RETURN 'entity' AS kind, e.name AS name, degree AS total
