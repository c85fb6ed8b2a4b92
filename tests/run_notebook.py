"""make test-notebook: execute docs/notebooks/investigate.ipynb headless and
check what it produced.

  - the committed notebook has no outputs (outputs stay out of git);
  - every cell runs without error (nbclient raises on the first failure);
  - it prints "alerts: N" with N the number of alerts the sqlite3 shell finds
    on the same logs;
  - it displays a PNG figure and writes the figure file.

Run with Debian's /usr/bin/python3 (python3-nbclient, python3-ipykernel,
python3-pandas, python3-matplotlib).  The executed copy is written to
dist/scratch/investigate.out.ipynb for inspection.
Usage: /usr/bin/python3 tests/run_notebook.py EXTENSION
"""
import os
import subprocess
import sys

import nbformat
from nbclient import NotebookClient

NOTEBOOK = "docs/notebooks/investigate.ipynb"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok: " + name)
    else:
        failed += 1
        print("FAIL: %s %s" % (name, detail))


def outputs(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            yield out


def shell_alert_count(ext):
    """The reference: the sqlite3 shell over the same logs and views."""
    return subprocess.run(
        [os.environ.get("SQLITE3", "sqlite3"), "-batch", "-init", "/dev/null", ":memory:",
         "-cmd", ".load " + ext,
         "-cmd", "CREATE VIRTUAL TABLE cloudtrail_events USING cloudtrail('fixtures/demo')",
         "-cmd", ".read sql/ec2_console_login.sql",
         "SELECT count(*) FROM ec2_console_login_alerts"],
        check=True, capture_output=True, text=True).stdout.strip()


def execute(ext, evidence, figure, suffix=""):
    """Run the notebook on evidence with a fresh case database; check that
    every cell runs.  Returns the executed notebook and its printed text."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    case_db = "dist/scratch/notebook-case%s.db" % suffix
    os.makedirs("dist/scratch", exist_ok=True)
    for stale in (figure, case_db):
        if os.path.exists(stale):
            os.remove(stale)
    # The kernel must be this interpreter (the one that can load extensions):
    # put its directory first so "python3" resolves to it.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    os.environ.update(CLOUDTRAIL_EXTENSION=ext, CLOUDTRAIL_EVIDENCE=evidence,
                      CLOUDTRAIL_FIGURE=figure,
                      CLOUDTRAIL_CASE_DB=case_db,
                      PYDEVD_DISABLE_FILE_VALIDATION="1")  # quiet debugpy's notice
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": os.getcwd()}})
    try:
        client.execute()
        check("every cell runs on %s" % evidence, True)
    except Exception as e:  # CellExecutionError, or the kernel did not start
        check("every cell runs on %s" % evidence, False, str(e)[-2000:])
    nbformat.write(nb, "dist/scratch/investigate%s.out.ipynb" % suffix)
    text = "".join(o.get("text", "") for o in outputs(nb) if o.get("output_type") == "stream")
    return nb, text


def main():
    ext = sys.argv[1] if len(sys.argv) > 1 else "./dist/cloudtrail"
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    check("the committed notebook has no outputs",
          all(not c.get("outputs") and c.get("execution_count") is None
              for c in nb.cells if c.cell_type == "code"))
    expected = shell_alert_count(ext)

    figure = "dist/scratch/notebook-timeline.png"
    nb, text = execute(ext, "fixtures/demo", figure)
    check("the notebook reports the shell's alert count (%s)" % expected,
          ("alerts: %s\n" % expected) in text, repr(text[:300]))
    check("the notebook displays a PNG figure",
          any("image/png" in o.get("data", {}) for o in outputs(nb)))
    ok = os.path.exists(figure)
    if ok:
        with open(figure, "rb") as f:
            ok = f.read(8) == b"\x89PNG\r\n\x1a\n"
    check("the figure file is a PNG", ok)

    # regression: evidence with no alert (the common case) crashed the cell
    # after "alerts: 0" with an IndexError.
    nb, text = execute(ext, "fixtures/time", figure, "-no-alert")
    check("without alerts the notebook says so", "alerts: 0\nNo alert in this evidence" in text,
          repr(text[:300]))
    check("... and every later cell says there is nothing to follow or draw",
          "no alert: no role session to follow" in text and "no alert: no timeline" in text,
          repr(text[-300:]))
    check("... and draws nothing", not os.path.exists(figure))
    print("notebook: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
