"""English texts of counter registration, passing up, transfer and the first response."""

EN: dict[str, str] = {
    "为来窗口或来电的群众、企业登记诉求。受理窗口：{unit}（{tier}），首问负责。": (
        "Register a matter for a citizen or enterprise at the counter or on the phone. "
        "Receiving window: {unit} ({tier}), responsible under first-ask responsibility."
    ),
    "凭案件编号和查询码可在“办理查询”页面或窗口查询进度、评价办理结果。": (
        "With the case number and tracking code you can follow the case and rate the answer "
        'on the "Track" page or at the window.'
    ),
    "反映人": "Submitted by",
    "受理回执": "Receipt",
    "受理渠道": "Channel",
    "如：网格员、村社代办员、家属的姓名。": (
        "E.g. the name of the grid worker, village agent or relative."
    ),
    "已登记。请打印回执交给群众；查询码只显示这一次。": (
        "Registered. Print the receipt for the citizen; the tracking code is shown only once."
    ),
    "帮办人": "Helped by",
    "帮办人（帮办代办时填写）": "Helped by (for assisted filing)",
    "帮办人：{name}": "helped by {name}",
    "帮办代办": "Assisted filing",
    "帮办代办时请填写帮办人": "Name who helped the citizen file",
    "打印回执": "Print receipt",
    "村社代收": "Collected by village station",
    "查看案件": "Open the case",
    "电话": "Phone",
    "登记并打印回执": "Register and print the receipt",
    "窗口登记": "Register a matter",
    "经办人": "Clerk",
    "继续登记": "Register another",
    "群众联系方式": "Citizen's contact",
    "诉求标题": "Title",
    "请选择受理渠道": "Choose the channel",
    "首次响应时限": "First response due",
    "首问负责：本窗口对您的诉求负责到底，24 小时内（不含节假日）首次响应。": (
        "First-ask responsibility: this window owns your matter to the end and answers first "
        "within 24 hours (holidays not counted)."
    ),
    "马上办诉求受理回执": "马上办 (Act-Now) receipt",
    "协办：{names}": "with {names}",
    "当前没有待办环节：正在{steps}": "No open step: the case is at {steps}",
    "按 135 分级决策表：{rule}": "by the 135 decision table: {rule}",
    "由升级协调进入（{who}，{when}）": "reached by escalation ({who}, {when})",
    "，到 {when} 自动继续": " and goes on by itself at {when}",
    "上交上级窗口": "Passed up to the parent window",
    "交给本单位另一位同事办理，对方会直接收到此任务。": (
        "Hand the task to a colleague of your unit; they receive it at once."
    ),
    "同事": "Colleague",
    "已改派给 {name}：{task}": "Reassigned to {name}: {task}",
    "改派": "Reassign",
    "改派同事": "Reassigned to a colleague",
    "改派未成功：{reason}": "Not reassigned: {reason}",
    "改派理由": "Reason for reassigning",
    "改派给": "Reassigned to",
    "改派给同事": "Reassign to a colleague",
    "此任务已被他人认领": "someone else has claimed this task",
    "转派部门": "Transferred to another department",
    "首次响应超时": "First response overdue",
}
