"""The test command's `--dist loadgroup` keeps an `xdist_group` on one worker.

The browser tests are one group so that one worker builds the demo server they share (some
forty seconds); a pytest release once made pytest-xdist spread groups silently
(pytest-dev/pytest-xdist#1386), and both workers built it. This runs the test command's
distribution on a throwaway file of grouped tests and reads which worker ran each."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GROUPED = """
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    pass
"""


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v"]
    done = subprocess.run(
        [*command, "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = re.findall(r"\[(gw\d)\].*PASSED .*test_grouped\[", done.stdout)
    assert len(workers) == 6, done.stdout
    assert set(workers) in ({"gw0"}, {"gw1"}), done.stdout
