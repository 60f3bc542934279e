// name: who-met-whom
// description: The meeting network: who met whom, when and where, with the articles that report it.
// param: person = ""  A name or alias (any case, any part: "haniyeh"); empty: everyone.
// param: from: date = ""  Earliest date, ISO (2023-06-01); empty: no limit.
// param: to: date = ""  Latest date, ISO (2023-06-30); empty: no limit.
MATCH (m:Meeting)-[:ATTENDEE]->(a), (m)-[:ATTENDEE]->(b)
WHERE a.uri <> b.uri
  AND ($from = '' OR toString(m.startDate) >= $from)
  AND ($to = '' OR toString(m.startDate) <= $to)
WITH m, a, b,
     toLower(a.name) CONTAINS toLower($person)
       OR any(alias IN coalesce(a.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person)) AS aMatches,
     toLower(b.name) CONTAINS toLower($person)
       OR any(alias IN coalesce(b.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person)) AS bMatches
WHERE ($person = '' AND a.name < b.name) OR ($person <> '' AND aMatches AND (NOT bMatches OR a.name < b.name))
OPTIONAL MATCH (m)-[:LOCATION]->(place)
OPTIONAL MATCH (m)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
RETURN a.name AS person, b.name AS met, toString(m.startDate) AS date, place.name AS place,
       collect(DISTINCT article.identifier) AS articles
ORDER BY date, person, met
