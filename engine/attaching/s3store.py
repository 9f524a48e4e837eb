"""Attachment bytes in an S3-compatible object store (for several app servers sharing files).

Chosen with `MASHANGBAN_ATTACHMENT_STORE=s3`; `MASHANGBAN_S3_BUCKET` (required),
`MASHANGBAN_S3_ENDPOINT` (e.g. a MinIO or Ceph URL; empty means AWS),
`MASHANGBAN_S3_REGION` (default `us-east-1`), `MASHANGBAN_S3_PREFIX` (default
`attachments/`). Credentials come from the environment as boto3 reads them
(`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). Objects are named by SHA-256 like the
files on disk, and checked against that name when read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from ..errors import NotFound


@dataclass(frozen=True)
class S3Config:
    """Where the objects go."""

    bucket: str
    endpoint: str | None = None
    region: str = "us-east-1"
    prefix: str = "attachments/"

    @classmethod
    def from_env(cls) -> S3Config:
        bucket = os.environ.get("MASHANGBAN_S3_BUCKET", "").strip()
        if not bucket:
            raise ValueError("MASHANGBAN_ATTACHMENT_STORE=s3 needs MASHANGBAN_S3_BUCKET "
                             "(the bucket's name); set it or use the disk store")  # fmt: skip
        return cls(
            bucket=bucket,
            endpoint=os.environ.get("MASHANGBAN_S3_ENDPOINT", "").strip() or None,
            region=os.environ.get("MASHANGBAN_S3_REGION", "").strip() or "us-east-1",
            prefix=os.environ.get("MASHANGBAN_S3_PREFIX", "attachments/"),
        )


class S3Store:
    """Content-addressed objects in one bucket (the same `put`/`get` as `FileStore`)."""

    def __init__(self, config: S3Config, client: Any = None) -> None:
        self.config = config
        self.client = client if client is not None else _client(config)

    def key(self, sha256: str) -> str:
        """The object's name for a hash."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound("no such file")
        return f"{self.config.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, content: bytes) -> str:
        """Store bytes; return their SHA-256 (writing the same bytes again is harmless)."""
        digest = hashlib.sha256(content).hexdigest()
        self.client.put_object(Bucket=self.config.bucket, Key=self.key(digest), Body=content)
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes, checked against their name (NotFound if missing or altered)."""
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.config.bucket, Key=self.key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound(f"file {sha256[:12]}… is missing from the store") from None
            raise
        content: bytes = found["Body"].read()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise NotFound(f"file {sha256[:12]}… was altered in the store")
        return content


def _client(config: S3Config) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=config.endpoint, region_name=config.region)
