// name: explain
// draws: each fact (with its parties) or entity, the sentences behind it captioned by rule, and their articles
MATCH (evidence)-[:IN_ARTICLE]->(article:NewsArticle)
WHERE evidence:Evidence OR evidence:Mention
OPTIONAL MATCH (fact)-[:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[:REFERS_TO]->(entity)
WITH article, evidence, coalesce(fact, entity) AS subject
WHERE subject IS NOT NULL
  AND ($fact = '' OR subject.uri = $fact OR toLower(subject.name) CONTAINS toLower($fact))
  AND ($fact <> '' OR NOT evidence:Mention)
WITH article, evidence, subject
ORDER BY subject.name, article.identifier, evidence.beginIndex
LIMIT $limit
MATCH (evidence)-[source:IN_ARTICLE]->(article)
OPTIONAL MATCH (subject)-[supported:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[refers:REFERS_TO]->(subject)
OPTIONAL MATCH (subject)-[party]->(who)
WHERE who:Person OR who:Organization OR who:Place
RETURN [subject, evidence, article, who] AS nodes, [supported, refers, source, party] AS rels
