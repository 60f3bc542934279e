// name: co-mentions
// draws: the pairs the table lists and the articles that name both
MATCH (article:NewsArticle)-[:MENTIONS]->(x), (article)-[:MENTIONS]->(y)
WHERE x <> y
  AND (($name = '' AND x.name < y.name)
       OR ($name <> '' AND (toLower(x.name) CONTAINS toLower($name)
           OR any(alias IN coalesce(x.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name)))))
WITH x, y, collect(DISTINCT article) AS articles
ORDER BY size(articles) DESC, x.name, y.name
LIMIT $limit
UNWIND articles AS article
MATCH (article)-[mx:MENTIONS]->(x), (article)-[my:MENTIONS]->(y)
RETURN [x, y, article] AS nodes, [mx, my] AS rels
