"""Attachments in the engine: content checks, re-encoding, storage by hash, history."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from engine.attaching.checking import Limits, check_file, check_files
from engine.errors import FormInvalid, NotFound
from engine.service import Engine
from tests.web.conftest import start_appeal


def photo(size: tuple[int, int] = (800, 600), fmt: str = "JPEG", exif: bool = True) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    extra = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x0112] = 6  # Orientation: rotate 90° to show upright
        extra["exif"] = tags.tobytes()
    image.save(out, fmt, **extra)
    return out.getvalue()


def refusal(error: pytest.ExceptionInfo[FormInvalid]) -> tuple[str, str]:
    [item] = error.value.errors
    return item.field, item.code


def test_photo__reencoded_upright_without_metadata_with_thumbnail():
    checked = check_file("roof.jpeg", photo(), Limits())
    assert (checked.kind, checked.mime, checked.name) == ("image", "image/jpeg", "roof.jpeg")
    clean = Image.open(io.BytesIO(checked.content))
    assert clean.size == (600, 800)  # turned upright by its orientation tag
    assert not clean.getexif()  # the maker (and any place) is gone
    assert max(Image.open(io.BytesIO(checked.thumbnail or b"")).size) == 320


def test_text_named_jpg__refused_as_not_an_image():
    with pytest.raises(FormInvalid) as error:
        check_file("photo.jpg", b"this is not a picture at all", Limits())
    assert refusal(error) == ("attachments", "not_an_image")
    assert "photo.jpg is not a picture" in str(error.value)


def test_pdf_named_jpg__refused_and_unknown_types_refused():
    with pytest.raises(FormInvalid) as error:
        check_file("scan.jpg", b"%PDF-1.7\n...", Limits())
    assert refusal(error) == ("attachments", "not_an_image")
    with pytest.raises(FormInvalid) as error:
        check_file("run.exe", b"MZ\x90\x00", Limits())
    assert refusal(error) == ("attachments", "unsupported_type")


def test_limits__size_and_count():
    with pytest.raises(FormInvalid) as error:
        check_file("big.pdf", b"%PDF-" + b"0" * 2048, Limits(max_bytes=1024))
    assert refusal(error) == ("attachments", "file_too_large")
    with pytest.raises(FormInvalid) as error:
        check_files([("a.pdf", b"%PDF-1")] * 3, Limits(max_files=2))
    assert refusal(error) == ("attachments", "too_many_files")


def test_add__stored_by_hash_and_in_the_history(seeded: Engine):
    key, _code = start_appeal(seeded)
    with seeded.transaction() as service:
        checked = service.attachments.check([("roof.jpg", photo()), ("form.pdf", b"%PDF-1.4 x")])
        [image, document] = service.attachments.add(key, checked, "li")
    with seeded.transaction() as service:
        view, content = service.attachments.content(image.id, "li")
        assert hashlib.sha256(content).hexdigest() == image.sha256 == view.sha256
        _view, thumb = service.attachments.content(image.id, "li", thumbnail=True)
        assert Image.open(io.BytesIO(thumb)).format == "JPEG"
        [event] = [e for e in service.cases.history(key) if e.kind == "attachment_added"]
        assert [f["sha256"] for f in event.inputs["files"]] == [image.sha256, document.sha256]
        assert service.chain.verify(key) == []
        with pytest.raises(NotFound):
            service.attachments.content(image.id, "zhao")  # town_b's clerk: not their case
        with pytest.raises(NotFound):
            service.attachments.of_case(key, "zhao")
        assert service.attachments.of_submission(key) == []  # staff files: not the citizen's
