"""Every SQLSTATE our database functions raise has its domain meaning in momentum.dberrors, and nothing more.

The function sources are migrations/functions/*.sql; revisions are read too, for a definition kept inline there
(a downgrade's old body, or a new revision not yet moved to its own file).
"""

from __future__ import annotations

import re
from pathlib import Path

from momentum.dberrors import SQLSTATES

REPO = Path(__file__).resolve().parents[2]
ERRCODE = re.compile(r"\bERRCODE\s*=\s*'(\w{5})'", re.I)


def raised(paths: list[Path]) -> dict[str, set[str]]:
    """SQLSTATE -> the files whose SQL raises it."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for code in ERRCODE.findall(path.read_text()):
            found.setdefault(code.upper(), set()).add(path.name)
    return found


def sources() -> list[Path]:
    return sorted((REPO / "migrations" / "functions").glob("*.sql")) + sorted(
        (REPO / "migrations" / "versions").glob("*.py")
    )


def test_the_scan_finds_the_errcodes_of_the_function_files() -> None:
    found = raised(sources())
    assert {"MC001", "MM404", "MF409"} <= found.keys()
    assert "award_points.sql" in found["MC001"]


def test_every_raised_sqlstate_is_mapped() -> None:
    unmapped = {code: files for code, files in raised(sources()).items() if code not in SQLSTATES}
    assert unmapped == {}, "add these to momentum.dberrors.SQLSTATES"


def test_every_mapped_sqlstate_is_raised() -> None:
    stale = set(SQLSTATES) - raised(sources()).keys()
    assert stale == set(), "no SQL function raises these any more"


def test_an_unmapped_errcode_would_be_found(tmp_path: Path) -> None:
    source = tmp_path / "new_function.sql"
    source.write_text("RAISE EXCEPTION 'boom' USING ERRCODE = 'MB999';")
    assert raised([source]) == {"MB999": {"new_function.sql"}}
    assert "MB999" not in SQLSTATES
