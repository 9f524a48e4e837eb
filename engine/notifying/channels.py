"""Ways out of the outbox: e-mail over SMTP, SMS through a provider (see `sms.py`).

A channel's `send` returns on success and raises `SendFailed` (or any OSError) on
failure; the worker retries with backoff. `channels_from_env` builds the configured ones.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from .sending import Channel, SendFailed
from .sms import sms_from_env

__all__ = ["Channel", "SendFailed", "SmtpChannel", "channels_from_env"]


@dataclass(frozen=True)
class SmtpChannel:
    """E-mail through an SMTP server (STARTTLS and login when configured)."""

    host: str
    port: int = 25
    sender: str = "mashangban@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    def send(self, address: str, subject: str, body: str, params: Mapping[str, Any]) -> None:
        """Send one plain-text UTF-8 e-mail."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, address, subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPException as error:
            raise SendFailed(f"SMTP {self.host}:{self.port}: {error}") from error


def channels_from_env(env: Mapping[str, str] | None = None) -> dict[str, Channel]:
    """The channels configured in the environment (MASHANGBAN_SMTP_*, MASHANGBAN_SMS_*)."""
    source = os.environ if env is None else env
    found: dict[str, Channel] = {}
    host = source.get("MASHANGBAN_SMTP_HOST", "").strip()
    if host:
        port = source.get("MASHANGBAN_SMTP_PORT", "25").strip() or "25"
        if not port.isdigit():
            raise ValueError(f"MASHANGBAN_SMTP_PORT={port!r} is not a port number")
        found["email"] = SmtpChannel(
            host=host, port=int(port),
            sender=source.get("MASHANGBAN_SMTP_FROM", "mashangban@localhost"),
            username=source.get("MASHANGBAN_SMTP_USER", ""),
            password=source.get("MASHANGBAN_SMTP_PASSWORD", ""),
            starttls=source.get("MASHANGBAN_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        )  # fmt: skip
    sms = sms_from_env(source)
    if sms is not None:
        found["sms"] = sms
    return found
