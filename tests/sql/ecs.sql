-- Elastic documents: nested objects, dotted keys, a mix, and search hits.
.mode line
SELECT * FROM cloudtrail('fixtures/formats/ecs-nested.ndjson');
.mode list
SELECT '-- dotted keys; a null source.ip falls back to source.address';
SELECT record_index, event_time, event_source, event_name, outcome, principal_id,
       identity_type, read_only, source_ip, identity_arn
  FROM cloudtrail('fixtures/formats/ecs-dotted.json');
SELECT '-- search hits: raw is the _source';
SELECT record_index, event_name, principal_id, json_type(raw, '$._index'),
       raw->>'$.event.id' IS event_id OR raw->>'$."event.id"' IS event_id
  FROM cloudtrail('fixtures/formats/ecs-hits.json');
SELECT '-- regression: a duplicate ECS key was searched after the first (first wins)';
SELECT event_name, event_source, outcome, principal_id,
       raw->>'$.event.action' IS event_name
  FROM cloudtrail('fixtures/formats/ecs-duplicates.ndjson');
