// name: organisation-members
// description: An organisation (or state) and the people the articles say hold a role in it.
// param: name = ""  A name or alias of the organisation; empty: every organisation.
MATCH (membership:Membership)-[:ORGANIZATION]->(org)
WHERE $name = '' OR toLower(org.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(org.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
MATCH (membership)-[:MEMBER]->(person), (membership)-[:ROLE]->(roleConcept)
OPTIONAL MATCH (membership)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
RETURN org.name AS organisation, person.name AS member, roleConcept.prefLabel AS role,
       collect(DISTINCT article.identifier) AS articles
ORDER BY organisation, member, role
