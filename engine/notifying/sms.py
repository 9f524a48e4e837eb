"""SMS through a provider's HTTP API; one adapter: Aliyun's SendSms (RPC style, version
2017-05-25), signed with HMAC-SHA1 as that API requires.

The provider sends a pre-approved template (`MASHANGBAN_SMS_TEMPLATE`) filled with
`TemplateParam`; we pass the message's placeholder values (case, title, task, due, ...).
Settings: MASHANGBAN_SMS_PROVIDER=aliyun, MASHANGBAN_SMS_ACCESS_KEY_ID,
MASHANGBAN_SMS_ACCESS_KEY_SECRET, MASHANGBAN_SMS_SIGN_NAME, MASHANGBAN_SMS_TEMPLATE and
optionally MASHANGBAN_SMS_ENDPOINT (default the public endpoint).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .sending import Channel, SendFailed

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
SMS_PARAM_KEYS = ("case", "title", "task", "due", "name")
MAX_PARAM = 35  # providers cap each template variable's length


def percent_encode(text: str) -> str:
    """RFC 3986 encoding as the signature needs it (space %20, '~' kept, '*' encoded)."""
    return urllib.parse.quote(text, safe="~")


def aliyun_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """The `Signature` of an Aliyun RPC request over its sorted, encoded parameters."""
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class AliyunSms:
    """Aliyun SMS `SendSms`: POST form parameters, answer `{"Code": "OK", ...}`."""

    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_code: str
    endpoint: str = ALIYUN_ENDPOINT
    timeout: float = 10.0

    def request_params(self, phone: str, params: Mapping[str, Any]) -> dict[str, str]:
        """The signed parameters of one SendSms call."""
        template = {k: str(params.get(k, ""))[:MAX_PARAM] for k in SMS_PARAM_KEYS}
        values = {
            "Action": "SendSms", "Version": "2017-05-25", "Format": "JSON",
            "RegionId": "cn-hangzhou", "AccessKeyId": self.access_key_id,
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "SignatureNonce": secrets.token_hex(16),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "PhoneNumbers": phone, "SignName": self.sign_name,
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps(template, ensure_ascii=False, sort_keys=True),
        }  # fmt: skip
        values["Signature"] = aliyun_signature("POST", values, self.access_key_secret)
        return values

    def send(self, address: str, subject: str, body: str, params: Mapping[str, Any]) -> None:
        """Send one SMS; a refusal (`Code` other than OK) or an HTTP error raises SendFailed."""
        data = urllib.parse.urlencode(self.request_params(address, params)).encode()
        request = urllib.request.Request(self.endpoint, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as error:
            raise SendFailed(f"SMS provider answered HTTP {error.code}") from error
        except (urllib.error.URLError, ValueError) as error:
            raise SendFailed(f"SMS provider unreachable or unreadable: {error}") from error
        if answer.get("Code") != "OK":
            raise SendFailed(f"SMS provider refused: {answer.get('Code')}: {answer.get('Message')}")


def sms_from_env(env: Mapping[str, str]) -> Channel | None:
    """The configured SMS adapter, or None when MASHANGBAN_SMS_PROVIDER is unset."""
    provider = env.get("MASHANGBAN_SMS_PROVIDER", "").strip()
    if not provider:
        return None
    if provider != "aliyun":
        raise ValueError(f"MASHANGBAN_SMS_PROVIDER={provider!r}: the only provider is 'aliyun'")
    missing = [k for k in ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME", "TEMPLATE")
               if not env.get(f"MASHANGBAN_SMS_{k}")]  # fmt: skip
    if missing:
        raise ValueError("SMS needs " + ", ".join(f"MASHANGBAN_SMS_{k}" for k in missing))
    return AliyunSms(
        access_key_id=env["MASHANGBAN_SMS_ACCESS_KEY_ID"],
        access_key_secret=env["MASHANGBAN_SMS_ACCESS_KEY_SECRET"],
        sign_name=env["MASHANGBAN_SMS_SIGN_NAME"], template_code=env["MASHANGBAN_SMS_TEMPLATE"],
        endpoint=env.get("MASHANGBAN_SMS_ENDPOINT", ALIYUN_ENDPOINT),
    )  # fmt: skip
