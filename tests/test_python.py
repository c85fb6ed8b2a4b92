"""Python-side checks for docs/python.md: the extension loads into Python's
sqlite3 module, the saved views give the same alerts as the sqlite3 shell,
over the virtual table and over an ingested copy, pandas reads them, and
errors surface as sqlite3 exceptions carrying the extension's message.

Run with a Python whose sqlite3 can load extensions (Debian's /usr/bin/python3):
    /usr/bin/python3 tests/test_python.py ./dist/cloudtrail
Prints "python: N passed, M failed" and exits non-zero on any failure.
"""
import os
import subprocess
import sys
import sqlite3

EXT = sys.argv[1] if len(sys.argv) > 1 else "./dist/cloudtrail"
SQLITE3 = os.environ.get("SQLITE3", "sqlite3")
DEMO = "fixtures/demo"
VIEWS = "sql/ec2_console_login.sql"
ALERTS = ("SELECT event_time, event_name, instance_id, source_ip "
          "FROM ec2_console_login_alerts ORDER BY event_time, event_name")
passed = failed = 0


def check(name, expected, actual):
    global passed, failed
    if expected == actual:
        passed += 1
        print("ok: " + name)
    else:
        failed += 1
        print("FAIL: %s: expected %r, got %r" % (name, expected, actual))


def connect(path=":memory:"):
    con = sqlite3.connect(path)
    con.enable_load_extension(True)
    con.load_extension(EXT)
    con.enable_load_extension(False)
    return con


def read_views(con):
    with open(VIEWS, encoding="utf-8") as f:
        con.executescript(f.read())


def shell_alerts():
    """The same query through the sqlite3 shell: the reference."""
    out = subprocess.run(
        [SQLITE3, "-batch", "-init", "/dev/null", ":memory:",
         "-cmd", ".load " + EXT,
         "-cmd", "CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('%s')" % DEMO,
         "-cmd", ".read " + VIEWS, ALERTS],
        check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines()]


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    check("this Python's sqlite3 can load extensions", True,
          hasattr(sqlite3.Connection, "enable_load_extension"))

    reference = shell_alerts()
    check("the shell finds the demo's two alerts", 2, len(reference))

    con = connect()
    # CREATE VIRTUAL TABLE arguments are not expressions: no ? parameters.
    con.execute("CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('%s')" % DEMO)
    read_views(con)
    check("the views over the virtual table match the shell",
          reference, con.execute(ALERTS).fetchall())

    # The alert's row points back at its file and record; re-reading that
    # one file gives the same event.
    f, i, eid = con.execute(
        "SELECT c.file, c.record_index, c.event_id FROM cloudtrail_events c "
        "WHERE ec2_console_login(c.raw) AND c.event_name = 'ConsoleLogin'").fetchone()
    check("an alert traces to its file and record index", eid, con.execute(
        "SELECT event_id FROM cloudtrail(?) WHERE record_index = ?", (f, i)).fetchone()[0])

    # Ingest into a database file, reopen, and read the views from a new
    # connection: the saved views work over an ordinary table.
    db = "dist/scratch/python-case.db"
    os.makedirs(os.path.dirname(db), exist_ok=True)
    if os.path.exists(db):
        os.remove(db)
    con2 = connect(db)
    with con2:
        con2.execute("CREATE TABLE cloudtrail_events AS SELECT * FROM cloudtrail(?)", (DEMO,))
    read_views(con2)
    con2.close()
    con3 = connect(db)
    check("the views over an ingested table match the shell",
          reference, con3.execute(ALERTS).fetchall())
    check("the ingested table holds every record", 177,
          con3.execute("SELECT count(*) FROM cloudtrail_events").fetchone()[0])
    con3.close()

    # Without the extension the ingested rows are still readable, and the
    # views name what is missing (the catalog table, or a function) instead
    # of returning nothing.
    bare = sqlite3.connect(db)
    check("ingested rows readable without the extension", 177,
          bare.execute("SELECT count(*) FROM cloudtrail_events").fetchone()[0])
    try:
        bare.execute(ALERTS).fetchall()
        check("views without the extension fail loudly", "error", "rows")
    except sqlite3.OperationalError as e:
        check("views without the extension fail loudly", True,
              str(e).startswith(("no such function", "no such table")))
    bare.close()

    # The evidence database from Python (docs/python.md): schema, ingest,
    # then the summary, which executescript does not show.
    db = "dist/scratch/python-ingest.db"
    if os.path.exists(db):
        os.remove(db)
    con4 = connect(db)
    con4.isolation_level = None
    con4.executescript(open("sql/schema.sql").read())
    con4.execute("CREATE TEMP TABLE ingest_paths AS SELECT ? AS path", (DEMO,))
    con4.executescript(open("sql/ingest.sql").read())
    summary = dict(con4.execute(
        "SELECT item, value FROM cloudtrail_ingest_summary "
        "WHERE run = (SELECT max(run) FROM cloudtrail_ingest_runs)").fetchall())
    check("the ingest summary is readable from Python", (24, 177, 177),
          (summary.get("files_found"), summary.get("records_read"), summary.get("records_stored")))
    con4.close()

    # regression: errors=skip was silent in Python (sqlite3_log only): the
    # skipped files now reach the process's stderr.
    probe = subprocess.run(
        [sys.executable, "-c",
         "import sqlite3, sys; c = sqlite3.connect(':memory:'); "
         "c.enable_load_extension(True); c.load_extension(sys.argv[1]); "
         "print(c.execute(\"SELECT count(*) FROM cloudtrail('fixtures/bad', 'errors=skip')\")"
         ".fetchone()[0])", EXT], capture_output=True, text=True)
    check("errors=skip in Python says on stderr what it skipped", True,
          "fixtures/bad/truncated.json.gz: truncated gzip stream at compressed byte 183 "
          "(errors=skip: skipped after 5 records; cloudtrail_files lists it)" in probe.stderr)

    # Errors from the extension arrive as OperationalError with its message.
    try:
        con.execute("SELECT count(*) FROM cloudtrail('no/such/dir')").fetchall()
        check("a missing path raises", "error", "rows")
    except sqlite3.OperationalError as e:
        check("a missing path raises with the extension's message", True,
              str(e).startswith("cloudtrail: no/such/dir"))

    try:
        import pandas as pd
    except ImportError as e:  # .ci/run installs python3-pandas
        check("pandas is importable", "pandas", str(e))
    else:
        df = pd.read_sql_query(ALERTS, con)
        check("pandas reads the alert view", reference,
              [tuple(r) for r in df.itertuples(index=False)])
        by_name = pd.read_sql_query(
            "SELECT event_name, count(*) AS n FROM cloudtrail_events "
            "WHERE principal_id LIKE '%:i-0a1b2c3d4e5f60718' GROUP BY event_name", con)
        check("a pandas pivot on the instance role sees its console login", True,
              "ConsoleLogin" in set(by_name["event_name"]))
    con.close()

    print("python: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
