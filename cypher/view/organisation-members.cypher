// name: organisation-members
// draws: each organisation, the positions in it (captioned with the role) and the people holding them
MATCH (membership:Membership)-[holds:ORGANIZATION]->(org)
WHERE $name = '' OR toLower(org.name) CONTAINS toLower($name)
   OR any(alias IN coalesce(org.alternateName, []) WHERE toLower(alias) CONTAINS toLower($name))
MATCH (membership)-[member:MEMBER]->(person)
RETURN [org, membership, person] AS nodes, [holds, member] AS rels
