"""Words of the organisation page (Chinese message ids; English in the translation catalogue)."""

from __future__ import annotations

KIND_LABELS = {"district": "区级中心", "town": "镇街便民服务中心", "village": "村社便民服务站",
               "department": "部门", "office": "办公室与机构"}  # fmt: skip
ROLE_LABELS = {
    "clerk": "窗口经办人", "department_handler": "部门经办人",
    "chief_representative": "首席代表", "leading_office": "领导小组办公室",
    "joint_meeting": "联席会议成员", "supervising_office": "督查室",
    "discipline": "纪检监察", "auditor": "审计人员", "process_admin": "流程管理员",
    "org_admin": "组织机构管理员",
}  # fmt: skip
ACTIONS = {
    "unit_added": "新增单位", "unit_renamed": "单位更名", "unit_closed": "撤销单位",
    "unit_reopened": "恢复单位", "unit_updated": "调整单位", "staff_added": "新增人员",
    "staff_updated": "调整人员",
    "staff_disabled": "停用人员", "staff_enabled": "启用人员",
}  # fmt: skip
RESULTS = {"created": "新增", "updated": "已更新", "unchanged": "无变化", "error": "有错误"}
FIELDS = {"code": "编码", "name": "名称", "kind": "类型", "parent": "上级单位",
          "username": "登录名", "unit": "所在单位", "roles": "角色", "_form": "整行",
          "file": "文件"}  # fmt: skip
# FieldError codes of engine/orgchart.py and engine/orgtransfer.py (merged into FIELD_TEXT).
FIELD_TEXT = {
    "bad_code": "“{value}”不能作编码：2 到 50 位小写字母、数字或下划线，以字母开头",
    "code_taken": "编码“{value}”已被其他单位使用",
    "unknown_unit": "“{value}”不是现有的单位（或已撤销）",
    "unit_has_staff": "该单位还有 {count} 名在岗人员，请先调出或停用",
    "unit_has_units": "还有 {count} 个下属单位未撤销，请先处理",
    "bad_username": "“{value}”不能作登录名：2 到 64 位小写字母、数字或 . _ -",
    "username_taken": "登录名“{value}”已被使用",
    "not_utf8": "文件不是 UTF-8 编码的文本",
    "bad_json": "文件不是有效的 JSON：{reason}",
    "bad_shape": "应为含 units 和/或 users 列表的 JSON 对象",
    "too_many_rows": "每次最多导入 {max} 行",
    "bad_header": "CSV 表头须含 code（单位）或 username（人员）列",
}
