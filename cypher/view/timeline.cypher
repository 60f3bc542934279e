// name: timeline
// draws: the dated events the table lists, left to right by date, with their parties and places
// layout: timeline
MATCH (event:Event)-[]->(who)
WHERE who:Person OR who:Organization
WITH event, collect(DISTINCT who) AS people,
     coalesce(toString(event.startDate), toString(event.dateSent), toString(event.dateCreated)) AS date
WHERE date IS NOT NULL
  AND ($entity = '' OR any(x IN people WHERE toLower(x.name) CONTAINS toLower($entity)
      OR any(alias IN coalesce(x.alternateName, []) WHERE toLower(alias) CONTAINS toLower($entity))))
MATCH (event)-[link]->(x)
WHERE x:Person OR x:Organization OR x:Place
RETURN [event, x] AS nodes, [link] AS rels
