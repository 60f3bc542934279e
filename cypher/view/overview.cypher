// name: overview
// draws: the most connected entities and the events and positions that link two of them
MATCH (e)-[r]-()
WHERE (e:Person OR e:Organization OR e:Place) AND type(r) <> 'ASSERTS'
WITH e, count(r) AS degree
ORDER BY degree DESC, e.name
LIMIT $top
WITH collect(e) AS top
UNWIND top AS a
OPTIONAL MATCH (a)<-[ra]-(fact)-[rb]->(b)
WHERE (fact:Event OR fact:Membership) AND b IN top AND a.uri < b.uri
RETURN [a, fact, b] AS nodes, [ra, rb] AS rels
