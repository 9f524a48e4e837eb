"""processes/ holds the mechanism, not an organisation: no unit code of the demo organisation
appears in any file under it (issue 13). Diagrams reach units through placeholders such as
`clerks:{intake_unit}` and through `options_from=units:<kind>`; demo data and scenario tests,
which do name units, live in engine/demo_data/ and tests/processes/scenarios/."""

from __future__ import annotations

import json
import re
from pathlib import Path

from engine.demo import ORGANISATION
from engine.orgchart import KINDS, ROLE_GROUPS

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def _patterns() -> list[re.Pattern[str]]:
    """A unit code as a word; a code that is also a contract word (a role group such as
    `leading_office`, a unit kind such as `district`) only where it names a unit, as in
    `clerks:district`."""
    units = [u["code"] for u in json.loads(ORGANISATION.read_text("utf-8"))["units"]]
    contract = set(ROLE_GROUPS.values()) | set(KINDS)
    plain = [re.escape(c) for c in units if c not in contract]
    named = [re.escape(c) for c in units if c in contract]
    return [re.compile(rf"(?<![\w-])({'|'.join(plain)})(?![\w-])"),
            re.compile(rf"\b(?:clerks|dept|chief):({'|'.join(named)})\b")]  # fmt: skip


def test_processes__name_no_unit_of_the_demo_organisation() -> None:
    patterns = _patterns()
    found = []
    for path in sorted(p for p in PROCESSES.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            hits = sorted({m.group(1) for p in patterns for m in p.finditer(line)})
            if hits:
                found.append(f"{path.relative_to(PROCESSES.parent)}:{number}: {hits}")
    assert not found, "\n".join(found)


def test_the_check_finds_a_planted_code() -> None:
    plain, named = _patterns()
    assert plain.search('candidateGroups="dept:housing"')
    assert plain.search("village_a1") and not plain.search("village_a10")
    assert named.search("clerks:district") and not named.search('<value id="district"/>')
