// name: correspondence
// description: Who wrote to whom, when, and which letters answer which, with the articles that report them.
// param: person = ""  A name or alias of the sender or recipient; empty: everyone.
MATCH (message:Message)-[:SENDER]->(sender), (message)-[:RECIPIENT]->(recipient)
WHERE $person = ''
   OR toLower(sender.name) CONTAINS toLower($person)
   OR any(alias IN coalesce(sender.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person))
   OR toLower(recipient.name) CONTAINS toLower($person)
   OR any(alias IN coalesce(recipient.alternateName, []) WHERE toLower(alias) CONTAINS toLower($person))
OPTIONAL MATCH (message)-[:IN_REPLY_TO]->(:Message)-[:SENDER]->(answered)
OPTIONAL MATCH (message)-[:EVIDENCE]->(:Evidence)-[:IN_ARTICLE]->(article:NewsArticle)
// one row per letter: three undated letters reported by three articles stay three rows, each with its article
WITH message, sender, recipient, answered, collect(DISTINCT article.identifier) AS articles
RETURN sender.name AS sender, recipient.name AS recipient, toString(message.dateSent) AS date,
       CASE WHEN answered IS NULL THEN NULL ELSE 'reply to ' + answered.name END AS answers,
       articles
ORDER BY sender, recipient, date, articles
