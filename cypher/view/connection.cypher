// name: connection
// draws: the shortest paths the table lists, every node and relationship on them
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
WITH route
LIMIT $limit
RETURN nodes(route) AS nodes, relationships(route) AS rels
