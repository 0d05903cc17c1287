"""走访照片: a visit's photos are images (by their bytes, not their name), of a bounded size, each stored once
per visit (SHA-256)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from fengqiao.cases.services.attachments import human_size
from fengqiao.kit.errors import ValidationFailed

# MIME type (sniffed from the magic bytes) → the extension the stored file gets
IMAGE_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
}
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a phone camera's JPEG is 2–6 MB; the patrol app shrinks them to ~0.3 MB
MAX_PHOTOS = 6


@dataclass(frozen=True)
class CheckedPhoto:
    upload: UploadedFile
    name: str
    content_type: str
    ext: str
    size: int
    sha256: str


def check_photos(uploads: list[UploadedFile]) -> list[CheckedPhoto]:
    """Each upload checked (ValidationFailed names ``photos.<i>``); the same image twice is kept once."""
    if len(uploads) > MAX_PHOTOS:
        raise ValidationFailed(
            _("一次走访最多上传 %(max)s 张照片（收到 %(n)s 张）。") % {"max": MAX_PHOTOS, "n": len(uploads)},
            fields={"photos": _("最多 %(max)s 张") % {"max": MAX_PHOTOS}},
        )
    checked: dict[str, CheckedPhoto] = {}
    for i, upload in enumerate(uploads):
        photo = check_photo(upload, f"photos.{i}")
        checked.setdefault(photo.sha256, photo)
    return list(checked.values())


def check_photo(upload: UploadedFile, field: str = "photos") -> CheckedPhoto:
    name = PurePath(upload.name or "").name.strip()[:100] or "photo"
    size = upload.size or 0
    if size == 0:
        raise ValidationFailed(_("照片「%(name)s」是空文件。") % {"name": name}, fields={field: _("空文件")})
    if size > MAX_PHOTO_BYTES:
        limit = human_size(MAX_PHOTO_BYTES)
        raise ValidationFailed(
            _("照片「%(name)s」有 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": human_size(size), "limit": limit},
            fields={field: _("不能超过 %(limit)s") % {"limit": limit}},
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in IMAGE_TYPES:
        found = kind.mime if kind else _("无法识别")
        raise ValidationFailed(
            _("「%(name)s」不是照片（内容为 %(found)s）：只能上传 JPEG、PNG、WebP 或 HEIC 图片。")
            % {"name": name, "found": found},
            fields={field: _("不是图片")},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedPhoto(upload=upload, name=name, content_type=kind.mime, ext=IMAGE_TYPES[kind.mime],
                        size=size, sha256=digest.hexdigest())
