-- ec2_console_login(raw) over a table of raw records (ev.raw): values read
-- back from a table carry no subtype, so the function validates each one
-- itself.  Peer: bench/peers/table_json1.sql.
SELECT count(*) FROM ev WHERE ec2_console_login(raw);
