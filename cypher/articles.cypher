// name: articles
// description: The articles loaded: file, headline, publication date, facts drawn (events, positions), entities named, and when each was loaded.
// param: article = ""  File name or part of the headline; empty: every article.
MATCH (article:NewsArticle)
WHERE $article = '' OR article.identifier = $article OR toLower(article.headline) CONTAINS toLower($article)
OPTIONAL MATCH (fact)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article)
WITH article, count(DISTINCT fact) AS facts
OPTIONAL MATCH (article)-[:MENTIONS]->(entity)
WITH article, facts, count(DISTINCT entity) AS entities
RETURN article.identifier AS article, article.headline AS headline, toString(article.datePublished) AS published,
       facts, entities, article.kgLoadedAt AS loaded
ORDER BY published, article
