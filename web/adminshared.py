"""What the process admins' pages share: the role check, the upload limit, findings as JSON.

Reading processes and diagrams is open to everyone signed in; changing them (upload,
modeler, deploy, migrate) needs the `process_admin` role, checked here on every such view
(the engine checks it again in `Admin.deploy_files` / `Admin.migrate`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, request

from .auth import current_user, me
from .i18n import gettext as _

ADMIN_ROLE = "process_admin"
UPLOAD_LIMIT = 4 * 1024 * 1024  # diagrams are larger than form posts (MAX_CONTENT_LENGTH)
SOURCE_SUFFIXES = (".bpmn", ".dmn", ".json")


def is_admin(user: Any = None) -> bool:
    """True if the (current) user may deploy and migrate."""
    user = user if user is not None else current_user()
    return user is not None and ADMIN_ROLE in user.roles


def require_admin() -> str:
    """Abort with 403 unless the signed-in user is a process admin; return the username."""
    if not is_admin(me()):
        abort(403)
    request.max_content_length = UPLOAD_LIMIT
    request.max_form_memory_size = UPLOAD_LIMIT  # a diagram uploaded as a form field too
    return me().username


# What kind of defect a finding's code names, for the reader (the detail stays the engine's).
FINDING_KINDS = {
    "conditions": "条件写法有误",
    "scripts": "脚本有误",
    "timers": "定时设置有误",
    "gateways": "网关分支有误",
    "outgoing": "流向有误",
    "task_attributes": "任务属性有误",
    "form_fields": "表单字段有误",
    "data_stores": "数据存储有误",
    "not_executable": "流程未设为可执行",
    "no_start_event": "缺少开始事件",
    "empty_file": "文件为空",
    "not_a_diagram": "不是流程图或决策表",
    "doctype_refused": "文件含有不安全的声明",
    "not_well_formed": "XML 格式错误",
    "spiff_rejected": "流程引擎无法读取",
    "spiff_crashed": "流程引擎无法读取",
    "diagram_invalid": "流程图有误",
    "diagram_warning": "提醒",
}


def finding_dict(problem: Any) -> dict[str, Any]:
    """A validation problem (or the facade's Finding) as `{file, line, element, code, message}`
    plus `title`, the kind of defect in the reader's language."""
    if hasattr(problem, "element_id"):
        code = getattr(problem, "kind", "") or (
            "diagram_warning" if problem.severity == "warning" else "diagram_invalid"
        )
        found = {"file": problem.file, "line": problem.line, "element": problem.element_id,
                 "code": code, "message": problem.message,
                 "severity": problem.severity}  # fmt: skip
    else:
        found = dict(problem.to_dict())
    kind = FINDING_KINDS.get(found.get("code", ""))
    found["title"] = _(kind) if kind else ""
    return found


def main_diagram(process_id: str, files: dict[str, bytes]) -> str | None:
    """The name of the .bpmn file that defines `process_id` (its own diagram)."""
    pattern = re.compile(
        rb"<(?:\w+:)?process\b[^>]*\bid=\"" + re.escape(process_id.encode()) + rb"\""
    )
    for name in sorted(files):
        if name.lower().endswith(".bpmn") and pattern.search(files[name]):
            return name
    return None


_TAG = re.compile(r"<(?:\w+:)?\w+\s([^>]*?)/?>")
_ATTR = re.compile(r'\b(id|name|label)="([^"]*)"')


def named(ids: Any, names: dict[str, str]) -> str:
    """Element ids as their names, joined for a sentence."""
    return "、".join(names.get(i, i) for i in ids)


def element_names(files: dict[str, bytes]) -> dict[str, str]:
    """Element (or form field) id -> its name (label) in the diagrams, for people to read."""
    names: dict[str, str] = {}
    for name, content in files.items():
        if name.lower().endswith(".bpmn"):
            for tag in _TAG.finditer(content.decode("utf-8", "replace")):
                attrs = dict(_ATTR.findall(tag.group(1)))
                if attrs.get("id") and (attrs.get("name") or attrs.get("label")):
                    names.setdefault(attrs["id"], attrs.get("name") or attrs["label"])
    return names
