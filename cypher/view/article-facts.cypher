// name: article-facts
// draws: the article, the sentences its facts come from (with the rule), the facts and their parties, and the entities it names
MATCH (evidence)-[:IN_ARTICLE]->(article:NewsArticle)
WHERE (evidence:Evidence OR evidence:Mention)
  AND ($article = '' OR article.identifier = $article OR toLower(article.headline) CONTAINS toLower($article))
OPTIONAL MATCH (fact)-[:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[:REFERS_TO]->(entity)
WITH article, evidence, fact, entity
WHERE fact IS NOT NULL OR entity IS NOT NULL
WITH article, evidence, fact, entity
ORDER BY article.identifier, coalesce(evidence.anchorBegin, evidence.beginIndex)
LIMIT $limit
OPTIONAL MATCH (fact)-[supported:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[source:IN_ARTICLE]->(article)
OPTIONAL MATCH (article)-[mentions:MENTIONS]->(entity)
OPTIONAL MATCH (fact)-[party]->(who)
WHERE who:Person OR who:Organization OR who:Place
RETURN [article, entity, fact, who, CASE WHEN fact IS NULL THEN NULL ELSE evidence END] AS nodes,
       [mentions, party, supported, CASE WHEN fact IS NULL THEN NULL ELSE source END] AS rels
