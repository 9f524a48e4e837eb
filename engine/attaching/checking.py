"""What an uploaded file is, judged by its content (never its name), and its safe form.

Images (JPEG, PNG, WebP, GIF) are decoded with Pillow, turned upright, stripped of their
metadata (a phone photo's EXIF holds where it was taken) and re-encoded, with a
thumbnail; documents (PDF, Word and Excel files) are kept as sent. Anything else, an
image that does not decode, or a file past the limits is refused with a field error
(`attachments`) whose code says why.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import FieldError, FormInvalid

FIELD = "attachments"
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
DOCUMENTS = {  # magic bytes -> (mime, extension)
    b"%PDF-": ("application/pdf", ".pdf"),
}
OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}
THUMB_SIZE = (320, 320)
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


@dataclass(frozen=True)
class Limits:
    """How many files one upload may hold and how large each may be."""

    max_files: int = 5  # MASHANGBAN_ATTACHMENT_MAX_FILES
    max_bytes: int = 10 * 1024 * 1024  # MASHANGBAN_ATTACHMENT_MAX_MB

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """Read the limits from the environment (whole numbers above zero)."""
        source = os.environ if env is None else env
        files = _whole(source, "MASHANGBAN_ATTACHMENT_MAX_FILES", cls.max_files)
        megabytes = _whole(source, "MASHANGBAN_ATTACHMENT_MAX_MB", cls.max_bytes // 2**20)
        return cls(max_files=files, max_bytes=megabytes * 2**20)

    @property
    def request_bytes(self) -> int:
        """The largest upload request: every file at its limit plus the form's text."""
        return self.max_files * self.max_bytes + 2**20


@dataclass(frozen=True)
class Checked:
    """A file that passed: what to store, and its thumbnail for images."""

    name: str
    kind: str  # image | document
    mime: str
    content: bytes
    thumbnail: bytes | None


def check_files(files: Sequence[tuple[str, bytes]], limits: Limits) -> list[Checked]:
    """Every file checked and made safe, or FormInvalid naming the first problem."""
    files = [(name, content) for name, content in files if name or content]
    if len(files) > limits.max_files:
        raise _refuse("too_many_files", max=limits.max_files)
    return [check_file(name, content, limits) for name, content in files]


def check_file(name: str, content: bytes, limits: Limits) -> Checked:
    """One file: its kind by content; images re-encoded with a thumbnail."""
    name = os.path.basename(name.replace("\\", "/")).strip()[:200] or "file"
    if not content:
        raise _refuse("empty_file", name=name)
    if len(content) > limits.max_bytes:
        raise _refuse("file_too_large", name=name, max_mb=limits.max_bytes // 2**20)
    document = _document_type(content)
    if document is not None:
        mime, extension = document
        if _extension(name) in IMAGE_EXTENSIONS:
            raise _refuse("not_an_image", name=name)
        return Checked(_with_extension(name, extension), "document", mime, content, None)
    image = _decode_image(content)
    if image is None:
        code = "not_an_image" if _extension(name) in IMAGE_EXTENSIONS else "unsupported_type"
        raise _refuse(code, name=name)
    return _reencoded(name, image)


def _document_type(content: bytes) -> tuple[str, str] | None:
    for magic, found in DOCUMENTS.items():
        if content.startswith(magic):
            return found
    if content.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for prefix, found in OFFICE.items():
                if any(n.startswith(prefix) for n in names):
                    return found
    return None


def _decode_image(content: bytes) -> Image.Image | None:
    """The decoded image, or None if the bytes are no image Pillow reads safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))
            if probe.format not in ("JPEG", "PNG", "GIF", "WEBP"):
                return None
            if probe.width * probe.height > MAX_PIXELS:
                return None
            probe.verify()  # structure check; the image must be opened again to decode
            image = Image.open(io.BytesIO(content))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        return None
    return image


def _reencoded(name: str, image: Image.Image) -> Checked:
    """Upright, metadata-free JPEG (PNG when the image has transparency) and a thumbnail."""
    upright = ImageOps.exif_transpose(image) or image
    keep_alpha = upright.mode in ("RGBA", "LA") or "transparency" in upright.info
    clean = upright.convert("RGBA" if keep_alpha else "RGB")
    fmt, mime, extension = ("PNG", "image/png", ".png") if keep_alpha else (
        "JPEG", "image/jpeg", ".jpg")  # fmt: skip
    body = io.BytesIO()
    clean.save(body, fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else {}))
    small = clean.copy()
    small.thumbnail(THUMB_SIZE)
    thumb = io.BytesIO()
    small.convert("RGB").save(thumb, "JPEG", quality=80)
    return Checked(_with_extension(name, extension), "image", mime, body.getvalue(),
                   thumb.getvalue())  # fmt: skip


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _with_extension(name: str, extension: str) -> str:
    stem, current = os.path.splitext(name)
    if current.lower() == extension or (extension == ".jpg" and current.lower() == ".jpeg"):
        return name
    return f"{stem or 'file'}{extension}"


MESSAGES = {
    "too_many_files": "at most {max} files at a time",
    "empty_file": "{name} is empty",
    "file_too_large": "{name} is larger than {max_mb} MB",
    "not_an_image": "{name} is not a picture although its name says so; choose the photo again",
    "unsupported_type": "{name}: only photos (JPEG, PNG, WebP, GIF), PDF, Word and Excel files",
}


def _refuse(code: str, **params: object) -> FormInvalid:
    message = MESSAGES[code].format(**params)
    return FormInvalid([FieldError(FIELD, code, params, message)])


def _whole(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{key}={raw!r} must be a whole number above 0")
    return int(raw)
