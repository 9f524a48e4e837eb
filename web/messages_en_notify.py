"""English texts of the notification pages (web/notify.py, templates/notify/)."""

from __future__ import annotations

EN: dict[str, str] = {
    "下次尝试": "next attempt",
    "不设置": "none",
    "保存": "Save",
    "修改只影响之后发出的通知。": "Changes apply to messages sent from now on.",
    "免打扰时段（北京时间；紧急消息不受限）": (
        "Quiet hours (Beijing time; urgent messages still come)"
    ),
    "全部标为已读": "Mark all read",
    "发件箱": "Outbox",
    "发出的电子邮件和短信": "E-mail and SMS sent",
    "另外通过": "Also by",
    "可用占位符：": "Placeholders: ",
    "尝试次数": "Attempts",
    "已修改": "edited",
    "已重新排队发送。": "Queued to be sent again.",
    "开始": "From",
    "恢复默认": "Restore default",
    "手机号": "Mobile number",
    "收件人": "To",
    "新待办、催办、临近或超过办理时限、案件升级时，系统内总会提醒您；"
    "还可以用电子邮件或短信通知。": (
        "New tasks, reminders (催办), approaching or missed deadlines and escalations always "
        "show here; you may also get them by e-mail or SMS."
    ),
    "暂无通知。": "No notifications.",
    "未读": "unread",
    "查看案件": "Open the case",
    "打开待办": "Open the task",
    "正文": "Text",
    "没有这类通知。": "No such messages.",
    "电子邮件": "E-mail",
    "电子邮箱": "E-mail address",
    "短信": "SMS",
    "结束": "To",
    "通知": "Notifications",
    "通知模板": "Message templates",
    "通知模板已保存。": "Template saved.",
    "通知设置": "Notification settings",
    "通知设置已保存。": "Notification settings saved.",
    "通知语言": "Language of messages",
    "重新发送": "Send again",
    "（{n} 条未读）": " ({n} unread)",
    # event, channel and status names (web/notify.py)
    "受理回执": "Receipt",
    "答复待评价": "Reply to rate",
    "办结通知": "Case closed",
    "新待办": "New task",
    "即将到期": "Due soon",
    "已超期": "Overdue",
    "升级至本人": "Escalated to me",
    "站内消息": "In-app",
    "待发送": "Waiting",
    "发送中": "Sending",
    "已发送": "Sent",
    "发送失败": "Failed",
    # field errors of the notification forms (web/notify.py FIELD_TEXT additions)
    "请填写有效的电子邮箱，如 name@example.gov.cn": (
        "Enter an e-mail address such as name@example.gov.cn"
    ),
    "请填写 11 位手机号": "Enter an 11-digit mobile number",
    "“$”后应为占位符，如 $case（美元符号请写 $$）": (
        "A '$' must start a placeholder such as $case (write $$ for a dollar sign)"
    ),
    "没有占位符 ${name}，可用：{choices}": "There is no placeholder ${name}; use {choices}",
    # the submitter's choice on the public form (web/appeal_contact.py, public/appeal.html)
    "请选择短信、电子邮件或不通知": "Choose SMS, e-mail or no messages",
    "请填写有效的电子邮箱，如 name@example.com": "Enter an e-mail address such as name@example.com",
    "选择电子邮件通知时请填写电子邮箱": "Enter the e-mail address for messages by e-mail",
    "短信通知需要手机号；固定电话请选择电子邮件或不通知": (
        "SMS needs a mobile number; with a landline choose e-mail or no messages"
    ),
    "办理进展通知方式": "Tell me about progress by",
    "不通知": "No messages",
    "电子邮箱（选择电子邮件通知时填写）": "E-mail (for messages by e-mail)",
    # attachments (web/attachments.py, templates/attachments/, public forms)
    "添加附件": "Attachment added",
    "附件": "Attachments",
    "上传": "Upload",
    "添加照片或文件（每次最多 5 个）": "Add photos or files (up to 5 at a time)",
    "照片或材料（可选，最多 5 个，每个不超过 10 MB）": (
        "Photos or documents (optional, up to 5, at most 10 MB each)"
    ),
    "您提交的照片和材料": "Photos and documents you sent",
    "一次最多上传 {max} 个文件": "At most {max} files at a time",
    "{name} 是空文件": "{name} is empty",
    "{name} 超过 {max_mb} MB": "{name} is larger than {max_mb} MB",
    "{name} 不是图片（虽然文件名是图片），请重新选择照片": (
        "{name} is not a picture although its name says so; choose the photo again"
    ),
    "{name}：只能上传照片（JPEG、PNG、WebP、GIF）、PDF、Word 或 Excel 文件": (
        "{name}: only photos (JPEG, PNG, WebP, GIF), PDF, Word and Excel files"
    ),
    "请先选择文件": "Choose a file first",
}
