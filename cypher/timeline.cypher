// name: timeline
// description: Dated meetings and letters in order, optionally only those of one entity.
// param: entity = ""  A name or alias of a participant, sender or recipient; empty: all.
MATCH (event)-[:ATTENDEE|SENDER|RECIPIENT]->(who)
WHERE (event:Meeting AND event.startDate IS NOT NULL) OR (event:Message AND event.dateSent IS NOT NULL)
WITH event, collect(who) AS people
WHERE $entity = '' OR any(x IN people WHERE toLower(x.name) CONTAINS toLower($entity)
      OR any(alias IN coalesce(x.alternateName, []) WHERE toLower(alias) CONTAINS toLower($entity)))
OPTIONAL MATCH (event)-[:LOCATION]->(place)
OPTIONAL MATCH (event)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
RETURN coalesce(toString(event.startDate), toString(event.dateSent)) AS date,
       CASE WHEN event:Meeting THEN 'meeting' ELSE 'letter' END AS kind, event.name AS event,
       coalesce(place.name, '') AS place, collect(DISTINCT article.identifier) AS articles
ORDER BY date, kind, event
