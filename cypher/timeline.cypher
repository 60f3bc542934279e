// name: timeline
// description: Dated events of every kind (meetings, messages, calls, visits, statements, ...) in order.
// param: entity = ""  A name or alias of a party (participant, sender, recipient, visitor, speaker); empty: all.
MATCH (event:Event)-[]->(who)
WHERE who:Person OR who:Organization
WITH event, collect(DISTINCT who) AS people,
     coalesce(toString(event.startDate), toString(event.dateSent), toString(event.dateCreated)) AS date
WHERE date IS NOT NULL
  AND ($entity = '' OR any(x IN people WHERE toLower(x.name) CONTAINS toLower($entity)
      OR any(alias IN coalesce(x.alternateName, []) WHERE toLower(alias) CONTAINS toLower($entity))))
OPTIONAL MATCH (event)-[:LOCATION]->(place)
OPTIONAL MATCH (event)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
RETURN date, event.kind AS kind, event.name AS event, place.name AS place,
       collect(DISTINCT article.identifier) AS articles
ORDER BY date, kind, event
