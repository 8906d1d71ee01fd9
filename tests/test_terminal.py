"""povtor on a real terminal (a pseudo-terminal): styles unless NO_COLOR, and long
output through the pager as git does (POVTOR_PAGER, PAGER, --no-pager; never in a pipe)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import Cli
from test_subprocess import executable

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pytest.fixture
def demo(cli: Cli) -> Path:
    path = cli.db.with_name("demo-terminal.db")
    cli.ok("demo", str(path), "--force")
    return path


def on_terminal(demo: Path, *args: str, **env: str) -> str:
    """Run povtor with stdout on a pseudo-terminal 100 columns wide; what it showed."""
    import pty

    main, child = pty.openpty()
    environment = {**os.environ, "POVTOR_DB": str(demo), "COLUMNS": "100", "TERM": "xterm"}
    for name in ("NO_COLOR", "PAGER", "POVTOR_PAGER", "FORCE_COLOR"):
        environment.pop(name, None)
    process = subprocess.Popen(
        [executable(), *args],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.PIPE,
        env=environment | env,
    )
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    return shown.decode("utf-8").replace("\r\n", "\n")


def test_a_terminal_gets_styles_and_no_color_removes_every_escape(demo: Path) -> None:
    styled = on_terminal(demo, "--no-pager", "deal", "list")
    assert "\x1b[1m" in styled  # the bold header
    for command in (["deal", "list"], ["stats", "funnel"], ["client", "show", "1"]):
        plain = on_terminal(demo, "--no-pager", *command, NO_COLOR="1")
        assert "\x1b" not in plain and plain.strip()
    assert "\x1b" not in on_terminal(demo, "--no-pager", "plan", "today", NO_COLOR="1")


def test_long_output_goes_through_the_pager(demo: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    shown = on_terminal(demo, "deal", "list", POVTOR_PAGER=f"cat > '{paged}'")
    assert shown == ""  # all of it went to the pager
    text = paged.read_text(encoding="utf-8")
    assert "Deals (open)" in text and "\x1b[1m" in text  # styled: the pager shows a terminal


def test_pager_is_povtor_pager_then_pager_and_can_be_turned_off(demo: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    on_terminal(demo, "client", "list", PAGER=f"cat > '{second}'")
    assert "Clients" in second.read_text(encoding="utf-8")
    second.unlink()
    on_terminal(demo, "client", "list", POVTOR_PAGER=f"cat > '{first}'", PAGER=f"cat > '{second}'")
    assert first.exists() and not second.exists()
    first.unlink()
    for args, env in (
        (["--no-pager", "client", "list"], {"POVTOR_PAGER": f"cat > '{first}'"}),
        (["client", "list"], {"POVTOR_PAGER": "", "PAGER": f"cat > '{first}'"}),
        (["client", "list"], {"POVTOR_PAGER": "cat"}),
    ):
        shown = on_terminal(demo, *args, **env)
        assert "Clients" in shown and not first.exists()


def test_a_pipe_is_never_paged(demo: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    done = subprocess.run(
        [executable(), "client", "list", "--format", "table"],
        capture_output=True,
        env={**os.environ, "POVTOR_DB": str(demo), "POVTOR_PAGER": f"cat > '{paged}'"},
        timeout=60,
        check=True,
    )
    assert "Clients" in done.stdout.decode() and "\x1b" not in done.stdout.decode()
    assert not paged.exists()


def test_a_missing_pager_prints_straight(demo: Path) -> None:
    shown = on_terminal(demo, "client", "list", POVTOR_PAGER="no-such-pager-anywhere -R")
    assert "Clients" in shown
