"""Make docs/report.png: the demo's report for a month, as headless Chromium shows it.

    .venv/bin/python scripts/report_screenshot.py [--out docs/report.png]

Builds the demo database in a temporary folder as of a fixed day, writes its report
(``povtor report``) and takes a screenshot of the whole page with the browser the tests
use (Debian: ``apt-get install chromium``). Run it again whenever the page changes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from chromium import Chromium, find_chromium  # noqa: E402

TODAY = "2026-11-23"  # the README's demo day
MONTH = "2026-10"  # the last whole month before it
TARGET = "15000000"


def povtor(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "povtor", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"povtor {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--width", type=int, default=1000)
    options = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        sys.exit("Chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.db"
        env = {**os.environ, "POVTOR_TODAY": TODAY, "POVTOR_TZ": "Europe/Moscow"}
        env["POVTOR_DB"] = str(db)
        povtor("demo", str(db), env=env)
        page = Path(folder) / "report.html"
        povtor("report", "--month", MONTH, "--target", TARGET, "-o", str(page), env=env)
        with Chromium(executable, width=options.width, height=900) as browser:
            log = browser.load(page.as_uri())
            if log.errors or log.requests != [page.as_uri()]:
                sys.exit(f"the page did not load cleanly: {log.errors} {log.requests}")
            options.out.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(options.out)
    print(options.out)


if __name__ == "__main__":
    main()
