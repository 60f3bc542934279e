// name: co-mentions
// description: Entities named in the same articles, weighted by how many articles name both.
// param: name = ""  Only pairs with this entity (name or alias); empty: all pairs.
// param: limit = 25  How many pairs.
MATCH (article:NewsArticle)-[:MENTIONS]->(x), (article)-[:MENTIONS]->(y)
WHERE x <> y
  AND (($name = '' AND x.name < y.name)
       OR ($name <> '' AND (toLower(x.name) CONTAINS toLower($name)
           OR any(alias IN coalesce(x.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name)))))
RETURN x.name AS entity, y.name AS other, count(DISTINCT article) AS articles
ORDER BY articles DESC, entity, other
LIMIT $limit
