// name: articles
// draws: the articles and the persons, organisations and places each names
MATCH (article:NewsArticle)
WHERE $article = '' OR article.identifier = $article OR toLower(article.headline) CONTAINS toLower($article)
OPTIONAL MATCH (article)-[mentions:MENTIONS]->(entity)
WHERE entity:Person OR entity:Organization OR entity:Place
RETURN [article, entity] AS nodes, [mentions] AS rels
