// name: explain
// description: Why the graph holds a fact: the sentences and rules an event of any kind, a position or a mention came from.
// param: fact = ""  The fact's name or IRI, or an entity's name (for its mentions); empty: every fact.
// param: limit = 100  How many rows.
MATCH (evidence)-[:IN_ARTICLE]->(article:NewsArticle)
WHERE evidence:Evidence OR evidence:Mention
OPTIONAL MATCH (fact)-[:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[:REFERS_TO]->(entity)
WITH article, evidence, coalesce(fact, entity) AS subject,
     CASE WHEN fact IS NULL THEN 'mention of ' + entity.name ELSE fact.name END AS label
WHERE subject IS NOT NULL
  AND ($fact = '' OR subject.uri = $fact OR toLower(subject.name) CONTAINS toLower($fact))
  AND ($fact <> '' OR NOT evidence:Mention)
RETURN label AS fact, article.identifier AS article, evidence.rule AS rule, evidence.sentence AS sentence,
       evidence.beginIndex AS beginIndex, evidence.endIndex AS endIndex
ORDER BY fact, article, beginIndex
LIMIT $limit
