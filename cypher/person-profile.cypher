// name: person-profile
// description: One person: positions held, events of every kind (meetings, messages, calls, visits, statements, ...) with their counterparts, and the articles naming them.
// param: name = ""  A name or alias; empty: the most mentioned person.
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (membership:Membership)-[:MEMBER]->(p)
MATCH (membership)-[:ORGANIZATION]->(org), (membership)-[:ROLE]->(roleConcept)
OPTIONAL MATCH (membership)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
RETURN p.name AS person, 'position' AS kind, roleConcept.prefLabel + ', ' + org.name AS detail, NULL AS date,
       collect(DISTINCT article.identifier) AS articles
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[role]-(event:Event)
OPTIONAL MATCH (event)-[]->(other)
WHERE (other:Person OR other:Organization) AND other.uri <> p.uri
WITH p, event, role, collect(DISTINCT other.name) AS others
OPTIONAL MATCH (event)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
// one row per event and counterpart, with the articles reporting that event: letters that read alike stay apart
WITH p, event, role, others, collect(DISTINCT article.identifier) AS articles
UNWIND CASE WHEN size(others) = 0 THEN [event.name] ELSE others END AS detail
RETURN p.name AS person, event.kind + ' as ' + toLower(type(role)) AS kind, detail,
       coalesce(toString(event.startDate), toString(event.dateSent), toString(event.dateCreated)) AS date, articles
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[:MENTIONS]-(article:NewsArticle)
RETURN p.name AS person, 'mentioned in' AS kind, article.headline AS detail,
       toString(article.datePublished) AS date, [article.identifier] AS articles
