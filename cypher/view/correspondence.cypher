// name: correspondence
// draws: every letter the table lists, from its sender to its recipient, and the letter each one answers
MATCH (message:Message)-[:SENDER]->(sender), (message)-[:RECIPIENT]->(recipient)
WHERE $person = ''
   OR toLower(sender.name) CONTAINS toLower($person)
   OR any(alias IN coalesce(sender.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person))
   OR toLower(recipient.name) CONTAINS toLower($person)
   OR any(alias IN coalesce(recipient.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person))
MATCH (message)-[sent:SENDER]->(sender), (message)-[received:RECIPIENT]->(recipient)
OPTIONAL MATCH (message)-[answers:IN_REPLY_TO]->(answered:Message)
RETURN [message, sender, recipient, answered] AS nodes, [sent, received, answers] AS rels
