"""Cases stored by release 0.1.0 (before bounded state) move to a new version and replay.

They replay the way they were run (restore, act, dump per event), so the migration must
reproduce its stored bytes on that path too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.database import upgrade
from engine.service import Engine
from engine.settings import Settings
from tests.engine.test_admin import NEW_LABEL, OLD_LABEL
from tests.engine.test_upgrade import FIXTURES


def test_migrate__running_cases_of_release_0_1_0_move_and_still_replay(tmp_path: Path) -> None:
    path = tmp_path / "release.db"
    shutil.copy(FIXTURES / "release-0.1.0.db", path)
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = Engine(Settings(database_url=url, instance_path=tmp_path))
    try:
        with engine.transaction() as service:
            service.staff.save_user("qianjin", "钱进", [], roles=["process_admin"])
            before = service.admin.process("closed_loop").latest
            # Their own diagram with a new label: today's closed_loop moved 受理研判 into a
            # sub-process, which a case waiting at the old top-level step cannot follow.
            files = service.admin.version_files("closed_loop", before.number)
            old = files["closed_loop.bpmn"].decode()
            assert OLD_LABEL in old
            changed = {"closed_loop.bpmn": old.replace(OLD_LABEL, NEW_LABEL, 1).encode()}
            service.admin.deploy_files(changed, "标题改名", "qianjin")
            plan = service.admin.check_migration("closed_loop", from_version=before.number)
            result = service.admin.migrate("closed_loop", "qianjin", "标题改名",
                                           from_version=before.number)  # fmt: skip
        assert plan.cases and result.moved == plan.movable
        assert result.moved, [c.reasons for c in plan.cases]
        with engine.transaction() as service:
            for key in result.moved:
                assert service.cases.get(key).process_version == before.number + 1
                assert service.chain.verify(key) == []
                assert service.chain.replay(key).matches_stored, key
    finally:
        engine.close()
