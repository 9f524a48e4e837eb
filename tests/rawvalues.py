"""What people must never read on a page: raw option values, ISO timestamps, group ids,
usernames and Python literals (issue 13). Shared by the web and browser walks."""

from __future__ import annotations

import json
import re

from engine.demo import ORGANISATION

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
GROUP = re.compile(r"\b(clerks|dept|chief):[a-z_0-9]+")
LITERALS = re.compile(r"\bNone\b|\{'|\bTrue\b|\bFalse\b|\[\]|\[\{")


def people() -> tuple[dict[str, str], set[str]]:
    """Group -> one member, and every username, from the demo organisation."""
    users = json.loads(ORGANISATION.read_text("utf-8"))["users"]
    members: dict[str, str] = {}
    for user in users:
        for group in user["groups"]:
            members.setdefault(group, user["username"])
    return members, {u["username"] for u in users}


def raw_values(text: str, usernames: set[str], options: set[str]) -> list[str]:
    """Every raw value found in the text a person reads."""
    found = [m.group(0) for m in (*ISO.finditer(text), *GROUP.finditer(text))]
    found += [m.group(0) for m in LITERALS.finditer(text)]
    found += [u for u in usernames if re.search(rf"(?<![A-Za-z]){u}(?![A-Za-z])", text)]
    found += [o for o in options if re.search(rf"(?<![A-Za-z_]){o}(?![A-Za-z_])", text)]
    return found
