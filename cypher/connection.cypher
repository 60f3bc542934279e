// name: connection
// description: The shortest paths between two named entities, through meetings, letters, positions and articles.
// param: from = ""  A name or alias; empty: the most mentioned entity.
// param: to = ""  A name or alias; empty: the next most mentioned entity.
// param: limit = 10  How many paths.
MATCH (a)
WHERE (a:Person OR a:Organization OR a:Place)
  AND ($from = '' OR toLower(a.name) CONTAINS toLower($from)
       OR any(alias IN coalesce(a.alternateName, []) WHERE toLower(alias) CONTAINS toLower($from)))
OPTIONAL MATCH (a)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH a, count(mentioning) AS weight ORDER BY weight DESC, a.name LIMIT 1
MATCH (b)
WHERE (b:Person OR b:Organization OR b:Place) AND b <> a
  AND ($to = '' OR toLower(b.name) CONTAINS toLower($to)
       OR any(alias IN coalesce(b.alternateName, []) WHERE toLower(alias) CONTAINS toLower($to)))
OPTIONAL MATCH (b)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH a, b, count(mentioning) AS weight ORDER BY weight DESC, b.name LIMIT 1
MATCH route = allShortestPaths((a)-[:ATTENDEE|SENDER|RECIPIENT|MEMBER|ORGANIZATION|LOCATION|MENTIONS*..6]-(b))
RETURN a.name AS source, b.name AS target, length(route) AS hops,
       [n IN nodes(route) | coalesce(n.name, n.headline, n.uri)] AS route,
       [r IN relationships(route) | type(r)] AS via
LIMIT $limit
