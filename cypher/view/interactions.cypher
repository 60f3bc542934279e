// name: interactions
// draws: the events the table lists, with every party and the place
MATCH (event:Event)-[]->(party)
WHERE (party:Person OR party:Organization)
  AND ($kind = '' OR event.kind = toLower($kind))
  AND ($name = '' OR toLower(party.name) CONTAINS toLower($name)
       OR any(alias IN coalesce(party.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name)))
WITH DISTINCT event
ORDER BY coalesce(toString(event.startDate), toString(event.dateSent), toString(event.dateCreated), ''), event.name
LIMIT $limit
MATCH (event)-[link]->(x)
WHERE x:Person OR x:Organization OR x:Place
RETURN [event, x] AS nodes, [link] AS rels
