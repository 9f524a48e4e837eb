"""English texts of the process admins' API (web/api/admin_routes.py)."""

EN: dict[str, str] = {
    "须为正整数": "Must be a positive whole number",
    "请给出要比较的两个版本号": "Give the two version numbers to compare",
    "请至少上传一个文件": "Upload at least one file",
    "一次最多上传 {n} 个文件": "Upload at most {n} files at once",
    "每个文件须有不重复的文件名": "Every file needs a name, and no two the same",
    "须为 JSON 对象：流程编号对应所基于的版本号": (
        "Must be a JSON object: process id to the version the change was made on"
    ),
    "上传内容不符合要求": "The upload is incomplete",
    "图中有错误，没有部署": "The diagrams have errors; nothing was deployed",
    "须为案件编号的列表": "Must be a list of case numbers",
    "请给出案件编号，或给出其案件要迁移的版本": (
        "Give the case numbers, or the version whose cases should move"
    ),
    "须为文字": "Must be text",
    "迁移请求不符合要求": "The migration request is incomplete",
}
