// name: who-met-whom
// draws: the meetings the table lists, each with everyone who attended it and where it was held
MATCH (m:Meeting)-[:ATTENDEE]->(a), (m)-[:ATTENDEE]->(b)
WHERE a.uri <> b.uri
  AND ($from = '' OR toString(m.startDate) >= $from)
  AND ($to = '' OR toString(m.startDate) <= $to)
  AND ($person = '' OR toLower(a.name) CONTAINS toLower($person)
       OR any(alias IN coalesce(a.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person)))
WITH DISTINCT m
MATCH (m)-[attended:ATTENDEE]->(attendee)
OPTIONAL MATCH (m)-[held:LOCATION]->(place)
RETURN [m, attendee, place] AS nodes, [attended, held] AS rels
