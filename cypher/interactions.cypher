// name: interactions
// description: Every event of a person or organisation, of every kind the rules declare (meetings, messages, calls, visits, statements, ...), with its date, place and counterparts.
// param: name = ""  A name or alias of a party (any case, any part); empty: everyone.
// param: kind = ""  Only events of this kind (meeting, message, call, visit, statement, ...); empty: all kinds.
// param: limit = 200  How many rows.
MATCH (event:Event)-[role]->(party)
WHERE (party:Person OR party:Organization)
  AND ($kind = '' OR event.kind = toLower($kind))
  AND ($name = '' OR toLower(party.name) CONTAINS toLower($name)
       OR any(alias IN coalesce(party.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name)))
OPTIONAL MATCH (event)-[]->(other)
WHERE (other:Person OR other:Organization) AND other.uri <> party.uri
OPTIONAL MATCH (event)-[:LOCATION]->(place)
OPTIONAL MATCH (event)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
WITH event, party, role, collect(DISTINCT other.name) AS counterparts, collect(DISTINCT place.name) AS places,
     collect(DISTINCT article.identifier) AS articles
RETURN party.name AS party, event.kind AS kind, toLower(type(role)) AS role, event.name AS event,
       coalesce(toString(event.startDate), toString(event.dateSent), toString(event.dateCreated)) AS date,
       places[0] AS place, counterparts, articles
ORDER BY coalesce(date, ''), party, kind, event
LIMIT $limit
