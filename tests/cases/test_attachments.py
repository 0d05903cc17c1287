"""Attachments: a file must be what its name says; each upload writes one event; bad files change nothing."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from fengqiao.cases import services
from fengqiao.cases.models import Attachment, Case, CaseEvent, Channel
from fengqiao.kit.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories import City


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _case(city: City) -> Case:
    lng, lat = city.point_in(0)
    data = services.RegisterInput(channel=Channel.HOTLINE_12345, title="占道经营", description="早市摊贩占道",
                                  lng=lng, lat=lat)
    return services.register(city.users["operator"], data).case


def test_a_photo_is_stored_with_its_hash_and_one_event(city: City, tmp_path: object) -> None:
    case = _case(city)
    content = png_bytes()
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        attachment = services.attach(city.users["operator"], case.code,
                                     upload=SimpleUploadedFile("现场照片.png", content, "image/png"))
        assert attachment.file.read() == content
    assert attachment.name == "现场照片.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(content)
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None
    assert event.action == "attach"
    assert event.data["sha256"] == attachment.sha256
    assert event.audience == "parties"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", b"MZ\x90\x00 this is an executable",
         "附件「合同.pdf」的内容（application/x-msdownload）与扩展名 .pdf 不符。"),
        ("照片.png", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "附件「照片.png」的内容（image/jpeg）与扩展名 .png 不符。"),
        ("脚本.sh", b"#!/bin/sh\nrm -rf /\n",
         "不支持的附件类型「脚本.sh」。可上传：amr、docx、gif、heic、jpeg、jpg、m4a、mp3、mp4、pdf、png、wav、webp、xlsx。"),
        ("空.png", b"", "附件「空.png」是空文件。"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(city: City, name: str, content: bytes,
                                                           message: str) -> None:
    case = _case(city)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationFailed) as caught:
        services.attach(city.users["operator"], case.code, upload=SimpleUploadedFile(name, content))
    assert caught.value.message == message
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not Attachment.objects.filter(case=case).exists()


@override_settings(ATTACHMENT_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused(city: City) -> None:
    case = _case(city)
    with pytest.raises(ValidationFailed) as caught:
        services.attach(city.users["operator"], case.code,
                        upload=SimpleUploadedFile("大.png", png_bytes() + b"\x00" * 2000))
    assert caught.value.message == f"附件「大.png」有 {(len(png_bytes()) + 2000) / 1024:.1f} KB，超过上限 1000 字节。"
    assert caught.value.fields == {"file": "不能超过 1000 字节"}
    assert not Attachment.objects.exists()


def test_attaching_needs_reach_and_a_role(city: City) -> None:
    case = _case(city)
    upload = SimpleUploadedFile("a.png", png_bytes())
    with pytest.raises(NotFound):
        services.attach(city.users["other_grid_worker"], case.code, upload=upload)
    with pytest.raises(PermissionDenied):
        services.attach(city.users["leader"], case.code, upload=io.BytesIO(png_bytes()))  # type: ignore[arg-type]
    assert not Attachment.objects.exists()
