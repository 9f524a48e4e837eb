"""The process admin changes a form field in the modeler, deploys, compares and migrates.

Real processes/ diagrams, demo staff, headless Chromium. `qianjin` (process admin) edits
closed_loop's first form in the properties panel; a case started afterwards shows the new
label, one started before keeps the old one until it is migrated; the audit chain and
replay of the migrated case stay green. A diagram with a bad condition is refused with
the finding marked on its flow; a clerk gets 403 on every admin page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.service import Engine
from engine.settings import Settings
from tests.web.admin_data import ADMIN, CLERK, admin_database, start_intake
from tests.web.conftest import PASSWORD, make_app, open_task

from .conftest import ROOT, LiveServer, _unavailable, screenshot, sign_in

pytestmark = pytest.mark.slow
OLD_LABEL, NEW_LABEL = "诉求标题", "反映事项标题"
LABEL_INPUT = "#bio-properties-panel-accept_case-formField-0-formFieldLabel"
BAD_FLOW = "flow_gw_handling_mode_reply_on_spot"


@pytest.fixture(scope="module")
def admin_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "build" / "assets" / "modeler.js").is_file():
        _unavailable("build/assets/modeler.js is missing: run `make setup` (npm run build)")
    return admin_database(tmp_path_factory.mktemp("process_admin"), PASSWORD)


@pytest.fixture
def live_admin(admin_db: Path, tmp_path: Path, browser: Any) -> Iterator[LiveServer]:
    path = tmp_path / "mashangban.db"
    shutil.copy(admin_db, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    app = make_app(engine, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    engine.close()
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def _engine(server: LiveServer) -> Engine:
    engine: Engine = server.app.extensions["mashangban.engine"]
    return engine


def _open_modeler(page: Any, base: str) -> None:
    page.goto(f"{base}/processes")
    page.locator('[data-process="closed_loop"]').get_by_role("link", name="在建模器中编辑").click()
    page.wait_for_url(f"{base}/processes/closed_loop/edit")
    page.locator("#msb-modeler[data-state=ready]").wait_for(timeout=30_000)


def _show(page: Any, element: str) -> None:
    """Pan the canvas so the element sits in the middle, as an admin would by dragging."""
    page.evaluate(
        """(id) => {
          const modeler = window.msbModeler.bpmn, canvas = modeler.get("canvas");
          const el = modeler.get("elementRegistry").get(id);
          canvas.zoom(1);
          const box = canvas.viewbox();
          canvas.viewbox({x: el.x + (el.width || 0) / 2 - box.width / 2,
                          y: el.y + (el.height || 0) / 2 - box.height / 2,
                          width: box.width, height: box.height});
        }""",
        element,
    )


def _task_page_text(page: Any, base: str, engine: Engine, key: str) -> str:
    page.goto(f"{base}/tasks/{open_task(engine, key)}")
    return str(page.locator("main").inner_text())


def test_admin__changes_a_label_deploys_compares_and_migrates(
    live_admin: LiveServer, new_page: Any
) -> None:
    base, engine = live_admin.url, _engine(live_admin)
    old_case = start_intake(engine)
    admin = new_page(width=1400, height=1000)
    sign_in(admin, base, ADMIN)
    admin.goto(f"{base}/processes")
    screenshot(admin, "admin_processes")
    _open_modeler(admin, base)
    _show(admin, "accept_case")
    admin.locator('.djs-element[data-element-id="accept_case"]').first.click()
    form_fields = admin.locator('[data-group-id="group-CamundaPlatform__FormData"]')
    form_fields.get_by_text("表单字段", exact=True).click()
    form_fields.get_by_text("title", exact=True).click()
    label = admin.locator(LABEL_INPUT)
    assert label.input_value() == OLD_LABEL
    label.fill(NEW_LABEL)
    label.press("Tab")
    screenshot(admin, "admin_modeler")
    admin.get_by_role("button", name="部署新版本").click()
    assert admin.locator("#deploy-note").evaluate("el => el.classList.contains('is-invalid')")
    admin.locator("#deploy-note").fill("受理表单“诉求标题”改为“反映事项标题”，与窗口用语一致")
    admin.get_by_role("button", name="部署新版本").click()
    admin.locator("#msb-modeler[data-deployed='2']").wait_for()
    assert "已部署" in admin.locator("#modeler-status").inner_text()

    new_case = start_intake(engine, title="新版本上的诉求")
    clerk = new_page()
    sign_in(clerk, base, CLERK)
    assert NEW_LABEL in _task_page_text(clerk, base, engine, new_case)
    before = _task_page_text(clerk, base, engine, old_case)
    assert OLD_LABEL in before and NEW_LABEL not in before

    admin.goto(f"{base}/processes/closed_loop/diff?a=1&b=2")
    admin.locator("#msb-diff[data-state=ready]").wait_for(timeout=30_000)
    changed = admin.locator('[data-kind="changed"][data-element="accept_case"]')
    assert NEW_LABEL in changed.inner_text()
    coloured = '#diff-new .djs-element.msb-diff-changed[data-element-id="accept_case"]'
    assert admin.locator(coloured).count() == 1
    screenshot(admin, "admin_diff")

    admin.goto(f"{base}/processes/closed_loop/migrate?cases={old_case}&to=2")
    row = admin.locator(f'[data-testid=migration-plan] tr[data-case="{old_case}"]')
    assert row.get_attribute("data-can-move") == "yes"
    admin.get_by_label("迁移理由（必填）").fill("旧案件也使用新的字段名称")
    admin.get_by_role("button", name="迁移 1 件可迁移的案件").click()
    assert old_case in admin.get_by_test_id("migration-result").inner_text()
    after = _task_page_text(clerk, base, engine, old_case)
    assert NEW_LABEL in after and OLD_LABEL not in after
    with engine.transaction() as service:
        assert service.chain.verify(old_case) == []
        assert service.chain.replay(old_case).matches_stored
    admin.goto(f"{base}/processes")
    log = admin.get_by_test_id("admin-log").inner_text()
    assert "迁移 1 件案件到第 2 版" in log and "部署第 2 版" in log


def test_admin__bad_condition_is_marked_on_its_flow(
    live_admin: LiveServer, new_page: Any, tmp_path: Path
) -> None:
    base, engine = live_admin.url, _engine(live_admin)
    with engine.transaction() as service:
        text = service.admin.version_files("closed_loop", 1)["closed_loop.bpmn"].decode()
    bad = tmp_path / "closed_loop.bpmn"
    broken = text.replace('handling_mode == "on_the_spot"', 'handling_mode === "on_the_spot"')
    bad.write_text(broken, encoding="utf-8")
    admin = new_page(width=1400, height=1000)
    sign_in(admin, base, ADMIN)
    _open_modeler(admin, base)
    admin.get_by_role("button", name="handling_level.dmn").click()  # dmn-js: the 135 rule
    assert "several_departments" in admin.locator("#dmn-canvas .tjs-table").inner_text()
    admin.get_by_role("button", name="closed_loop.bpmn").click()
    admin.locator("#import-file").set_input_files(str(bad))
    admin.locator("#modeler-status", has_text="已导入").wait_for()
    admin.get_by_role("button", name="检查", exact=True).click()
    finding = admin.locator(f'#findings [data-element="{BAD_FLOW}"]')
    finding.wait_for()
    assert "closed_loop.bpmn" in finding.inner_text() and "行" in finding.inner_text()
    flow = admin.locator(f'.djs-element[data-element-id="{BAD_FLOW}"]')
    assert "msb-finding" in (flow.get_attribute("class") or "")
    finding.click()
    selected = "() => window.msbModeler.bpmn.get('selection').get().map(e => e.id)"
    assert admin.evaluate(selected) == [BAD_FLOW]
    screenshot(admin, "admin_finding")
    admin.locator("#deploy-note").fill("坏条件不应部署")
    admin.get_by_role("button", name="部署新版本").click()
    admin.locator("#modeler-status.alert-danger").wait_for()
    with engine.transaction() as service:
        assert service.admin.process("closed_loop").latest.number == 1


@pytest.mark.parametrize(
    "path",
    ["/processes/closed_loop/edit", "/processes/closed_loop/migrate?from=1",
     "/processes/closed_loop/source.json"],
)  # fmt: skip
def test_clerk__gets_403_on_admin_pages(live_admin: LiveServer, new_page: Any, path: str) -> None:
    page = new_page()
    sign_in(page, live_admin.url, CLERK)
    response = page.goto(f"{live_admin.url}{path}")
    assert response is not None and response.status == 403
    page.goto(f"{live_admin.url}/processes")
    assert page.get_by_role("link", name="在建模器中编辑").count() == 0
