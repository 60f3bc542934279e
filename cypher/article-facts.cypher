// name: article-facts
// description: Everything drawn from one article, each fact with the sentence it came from and the rule.
// param: article = ""  File name or part of the headline; empty: every article.
// param: limit = 200  How many facts.
MATCH (evidence)-[:IN_ARTICLE]->(article:NewsArticle)
WHERE (evidence:Evidence OR evidence:Mention)
  AND ($article = '' OR article.identifier = $article OR toLower(article.headline) CONTAINS toLower($article))
OPTIONAL MATCH (fact)-[:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[:REFERS_TO]->(entity)
WITH article, evidence, fact, entity
WHERE fact IS NOT NULL OR entity IS NOT NULL
RETURN article.identifier AS article,
       CASE WHEN fact IS NULL THEN 'mention' ELSE [l IN labels(fact) WHERE l <> 'Resource'][0] END AS kind,
       coalesce(fact.name, entity.name) AS fact, evidence.sentence AS sentence, evidence.rule AS rule,
       coalesce(evidence.anchorBegin, evidence.beginIndex) AS position
ORDER BY article, position, kind, fact
LIMIT $limit
