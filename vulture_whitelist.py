"""Names vulture (`make lint`) cannot see being used.

They are read by frameworks, templates or SpiffWorkflow, not by our Python: column and
attribute values for SQLAlchemy, Flask, Werkzeug, openpyxl and the SpiffWorkflow runtime; the
sandbox proxies' dunder hooks; Babel's extractor signature; fields read by Jinja templates.
Regenerate with `vulture --make-whitelist` and review each new name: delete dead code rather
than list it here.
"""

# ruff: noqa
event_seq  # unused variable (engine/attaching/tables.py:28)
_.mtime  # unused attribute (engine/backup.py:223)
_.covers  # unused method (engine/calendar.py:104)
_.isolation_level  # unused attribute (engine/database.py:43)
_.isolation_level  # unused attribute (engine/database.py:68)
code_label  # unused variable (engine/direct.py:60)
SOURCES  # unused variable (engine/formoptions.py:21)
EVENT_KINDS  # unused variable (engine/history.py:21)
working_left  # unused variable (engine/leaders.py:72)
impl  # unused variable (engine/models.py:31)
cache_ok  # unused variable (engine/models.py:32)
_.process_bind_param  # unused method (engine/models.py:34)
_.process_result_value  # unused method (engine/models.py:39)
last_case_key  # unused variable (engine/models.py:111)
started_by  # unused variable (engine/models.py:133)
_.updated_by  # unused attribute (engine/notifying/facade.py:160)
updated_by  # unused variable (engine/notifying/tables.py:72)
month  # unused variable (engine/rates.py:63)
_.month  # unused attribute (engine/rates.py:76)
_.data_input  # unused attribute (engine/running.py:106)
_.input_item  # unused attribute (engine/running.py:108)
_._state  # unused attribute (engine/spiffspeed.py:48)
__instancecheck__  # unused function (engine/sandbox_limits.py:188)
__subclasscheck__  # unused function (engine/sandbox_limits.py:191)
__call__  # unused function (engine/sandbox_limits.py:194)
__getattr__  # unused function (engine/sandbox_limits.py:203)
_.visit_FormattedValue  # unused method (engine/sandbox_policy.py:86)
_.last_case_key  # unused attribute (engine/scheduling.py:75)
_.Emax  # unused attribute (engine/scripting.py:170)
_.Emin  # unused attribute (engine/scripting.py:170)
arg  # unused variable (engine/scripting.py:185)
arg  # unused variable (engine/scripting.py:190)
_.call_service  # unused method (engine/scripting.py:324)
_._encoder_mode  # unused attribute (engine/statefile.py:26)
_._encoder_mode  # unused attribute (engine/statefile.py:33)
_.ensure_ascii  # unused attribute (web/__init__.py:37)
_.max_content_length  # unused attribute (web/adminshared.py:33)
_.max_form_memory_size  # unused attribute (web/adminshared.py:34)
_.max_content_length  # unused attribute (web/attachments.py:51)
_.max_form_memory_size  # unused attribute (web/attachments.py:52)
_.permanent  # unused attribute (web/auth.py:111)
extract_chinese  # unused function (web/babel_extract.py:21)
comment_tags  # unused variable (web/babel_extract.py:22)
_.number_format  # unused attribute (web/reports.py:118)
_.msb_started  # unused attribute (web/requestlog.py:64)
_.msb_request_scope  # unused attribute (web/requestlog.py:66)
widget  # unused variable (web/taskforms.py:24)
task_name_en  # unused variable (engine/leaders.py:74): read by the dashboard and bulletin templates
_.empty  # unused property (engine/admin_views.py:106): read by a template
_.movable  # unused property (engine/admin_views.py:135): read by a template
_.active_steps  # unused property (web/casefacts.py:35): read by a template
_.dom_id  # unused property (web/taskforms.py:28): read by a template
_.escalation  # unused property (web/casefacts.py:46): read by a template
_.case_link  # unused property (web/taskforms.py:31): read by a template
# Fields of the API's pydantic models (web/api/schemas/): filled by keyword or from a dict,
# and read by pydantic when it serializes an answer or by `model_dump()` of a request body.
openapi  # unused variable (web/api/schemas/__init__.py)
due_text  # unused variable (web/api/schemas/audit.py)
notify_by  # unused variable (web/api/schemas/cases.py)
intake_unit  # unused variable (web/api/schemas/cases.py)
place_unit  # unused variable (web/api/schemas/cases.py)
access_token  # unused variable (web/api/schemas/cases.py)
token_type  # unused variable (web/api/schemas/cases.py)
expires_in  # unused variable (web/api/schemas/cases.py)
working_minutes_left  # unused variable (web/api/schemas/cases.py)
working_hours  # unused variable (web/api/schemas/leaders.py)
median_working_hours  # unused variable (web/api/schemas/leaders.py)
case_list  # unused variable (web/api/schemas/leaders.py)
event_name  # unused variable (web/api/schemas/people.py)
unread  # unused variable (web/api/schemas/people.py)
distinct_from  # unused variable (web/api/schemas/people.py)
rehandle_share  # unused variable (web/api/schemas/reports.py)
escalation_share  # unused variable (web/api/schemas/reports.py)
cannot_resolve_share  # unused variable (web/api/schemas/reports.py)
