// name: person-profile
// draws: the person, the positions they hold and in what, every event they took part in with the other parties, and the articles naming them
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
OPTIONAL MATCH (membership:Membership)-[member:MEMBER]->(p)
OPTIONAL MATCH (membership)-[holds:ORGANIZATION]->(org)
RETURN [p, membership, org] AS nodes, [member, holds] AS rels
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[role]-(event:Event)
OPTIONAL MATCH (event)-[party]->(other)
WHERE (other:Person OR other:Organization) AND other.uri <> p.uri
RETURN [event, other] AS nodes, [role, party] AS rels
UNION ALL
MATCH (p:Person)
WHERE $name = '' OR toLower(p.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(p.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
OPTIONAL MATCH (p)<-[:MENTIONS]-(mentioning:NewsArticle)
WITH p, count(mentioning) AS weight ORDER BY weight DESC, p.name LIMIT 1
MATCH (p)<-[mentions:MENTIONS]-(article:NewsArticle)
RETURN [article] AS nodes, [mentions] AS rels
