// name: person-profile
// description: One person: positions held, meetings, letters sent and received, and the articles naming them.
// param: name = ""  A name or alias; empty: the most mentioned person.
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (membership:Membership)-[:MEMBER]->(p)
MATCH (membership)-[:ORGANIZATION]->(org), (membership)-[:ROLE]->(roleConcept)
RETURN p.name AS person, 'position' AS kind, roleConcept.prefLabel + ', ' + org.name AS detail, '' AS date
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[:ATTENDEE]-(m:Meeting)-[:ATTENDEE]->(other)
WHERE other <> p
RETURN p.name AS person, 'met' AS kind, other.name AS detail, coalesce(toString(m.startDate), '') AS date
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[:SENDER]-(message:Message)-[:RECIPIENT]->(other)
RETURN p.name AS person, 'wrote to' AS kind, other.name AS detail, coalesce(toString(message.dateSent), '') AS date
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[:RECIPIENT]-(message:Message)-[:SENDER]->(other)
RETURN p.name AS person, 'letter from' AS kind, other.name AS detail, coalesce(toString(message.dateSent), '') AS date
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[:MENTIONS]-(article:NewsArticle)
RETURN p.name AS person, 'mentioned in' AS kind, article.identifier + ': ' + article.headline AS detail,
       coalesce(toString(article.datePublished), '') AS date
