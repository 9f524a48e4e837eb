"""Where attachment bytes live: a folder of files named by their SHA-256 (by default under
the instance folder, `MASHANGBAN_ATTACHMENTS_DIR` to move it). The same content is stored
once; a file is written under a temporary name and renamed, so a reader never sees half.
Rows that point to files live in the database; a file whose transaction rolled back is
left behind unreferenced (harmless: same name, same bytes, if uploaded again).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from ..errors import NotFound


class Store(Protocol):
    """What the attachments need of a store: bytes in, their SHA-256 out, and back."""

    def put(self, content: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...


class FileStore:
    """Content-addressed files on a local (or shared network) disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_instance(cls, instance: Path) -> FileStore:
        """The store of this deployment (environment setting or `<instance>/attachments`)."""
        configured = os.environ.get("MASHANGBAN_ATTACHMENTS_DIR", "").strip()
        return cls(Path(configured) if configured else instance / "attachments")

    def path(self, sha256: str) -> Path:
        """Where a hash's file is (two levels of folders keep directories small)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound("no such file")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        """Store bytes; return their SHA-256 (already there: nothing written)."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes, checked against their name (NotFound if missing or altered)."""
        try:
            content = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"file {sha256[:12]}… is missing from the store") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise NotFound(f"file {sha256[:12]}… was altered on disk")
        return content


def store_for(instance: Path) -> Store:
    """The configured store: `MASHANGBAN_ATTACHMENT_STORE` is `disk` (default) or `s3`
    (`engine/attaching/s3store.py`)."""
    kind = os.environ.get("MASHANGBAN_ATTACHMENT_STORE", "disk").strip().lower() or "disk"
    if kind == "disk":
        return FileStore.for_instance(instance)
    if kind == "s3":
        from .s3store import S3Config, S3Store

        return S3Store(S3Config.from_env())
    raise ValueError(f"MASHANGBAN_ATTACHMENT_STORE is '{kind}': use 'disk' or 's3'")
