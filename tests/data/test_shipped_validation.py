"""The shipped data passes `lodpub validate` with no violation and no warning, so a new one stands out.

A check of the shipped data, not of lodpub's code (issue 12). Notes (events search engines will not
show, most for want of a date the page does not give) are counted, not listed.
"""

import re
import subprocess

from conftest import LODPUB, ROOT


def test_the_shipped_data_has_no_violations_and_no_warnings():
    result = subprocess.run([str(LODPUB), "validate"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert re.fullmatch(r"data/heidelberg\.ttl: valid \(0 warnings, \d+ notes[^)]*\)\n", result.stderr), (
        result.stderr
    )
