"""Times as people in the district read them: Asia/Shanghai, and office time left."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .i18n import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKING_DAY = timedelta(hours=7.5)  # office hours 8:30-12:00 and 13:30-17:30
# An instant a script wrote into a text (e.g. an escalation reason naming the missed deadline).
INSTANT_IN_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


def local(moment: datetime | None, with_time: bool = True) -> str:
    """`2026-10-09 14:30` in Shanghai time ('—' for none)."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def parse_instant(value: object) -> datetime | None:
    """An ISO-8601 text (like `sla_due`) as an aware datetime, or None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def local_times(text: str) -> str:
    """The text with every ISO-8601 instant in it written as local time (`2026-10-09 14:30`)."""

    def one(match: re.Match[str]) -> str:
        moment = parse_instant(match.group(0).replace("Z", "+00:00"))
        return local(moment) if moment else match.group(0)

    return INSTANT_IN_TEXT.sub(one, text)


def time_left(left: timedelta) -> str:
    """`剩余 1 个工作日 2 小时`, `剩余 45 分钟`, `已超期 3 小时` (7.5 office hours a day)."""
    overdue = left < timedelta(0)
    span = -left if overdue else left
    days, rest = divmod(span, WORKING_DAY)
    hours = int(rest.total_seconds() // 3600)
    minutes = int(rest.total_seconds() % 3600 // 60)
    parts = []
    if days:
        parts.append(_("{n} 个工作日", n=days))
    if hours:
        parts.append(_("{n} 小时", n=hours))
    if not parts:
        parts.append(_("{n} 分钟", n=minutes))
    amount = " ".join(parts)
    return _("已超期 {amount}", amount=amount) if overdue else _("剩余 {amount}", amount=amount)


def urgency(left: timedelta | None) -> str:
    """`overdue`, `soon` (less than a working day) or `ok`; `none` without a deadline."""
    if left is None:
        return "none"
    if left < timedelta(0):
        return "overdue"
    return "soon" if left < WORKING_DAY else "ok"
