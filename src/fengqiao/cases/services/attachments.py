"""附件: evidence, photos and recordings on a case.  A file must be what its name says it is."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.accounts.models import User
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Attachment
from fengqiao.cases.services._core import access_case, authorize, check_version, record, save, transition
from fengqiao.cases.states import Action
from fengqiao.kit import clock
from fengqiao.kit.errors import ValidationFailed

# extension → the MIME types its content may sniff as (filetype reads the magic bytes)
ALLOWED: dict[str, frozenset[str]] = {
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "gif": frozenset({"image/gif"}),
    "webp": frozenset({"image/webp"}),
    "heic": frozenset({"image/heic"}),
    "pdf": frozenset({"application/pdf"}),
    "mp3": frozenset({"audio/mpeg"}),
    "m4a": frozenset({"audio/mp4", "video/mp4", "audio/m4a"}),
    "wav": frozenset({"audio/x-wav", "audio/wav"}),
    "amr": frozenset({"audio/amr"}),
    "mp4": frozenset({"video/mp4"}),
    "docx": frozenset({"application/zip",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xlsx": frozenset({"application/zip",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
}
MAX_NAME = 120


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1048576:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return _("%(n)s 字节") % {"n": n}


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(safe file name, MIME type) or ValidationFailed naming the file and the reason."""
    name = PurePath(upload.name or "").name.strip()[:MAX_NAME]
    if not name:
        raise ValidationFailed(_("附件没有文件名。"), fields={"file": _("附件没有文件名")})
    size = upload.size or 0
    limit = settings.ATTACHMENT_MAX_BYTES
    if size == 0:
        raise ValidationFailed(_("附件「%(name)s」是空文件。") % {"name": name}, fields={"file": _("空文件")})
    if size > limit:
        raise ValidationFailed(
            _("附件「%(name)s」有 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": human_size(size), "limit": human_size(limit)},
            fields={"file": _("不能超过 %(limit)s") % {"limit": human_size(limit)}},
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        kinds = pgettext("list separator", "、").join(sorted(ALLOWED))
        raise ValidationFailed(_("不支持的附件类型「%(name)s」。可上传：%(kinds)s。") % {"name": name, "kinds": kinds},
                               fields={"file": _("不支持的文件类型")})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED[ext]:
        found = kind.mime if kind else _("无法识别")
        raise ValidationFailed(
            _("附件「%(name)s」的内容（%(found)s）与扩展名 .%(ext)s 不符。")
            % {"name": name, "found": found, "ext": ext},
            fields={"file": _("文件内容与扩展名不符")},
        )
    return name, kind.mime


@transaction.atomic
def attach(
    user: User, case_id: int | str, *, upload: UploadedFile, internal: bool = False,
    expected_version: int | None = None,
) -> Attachment:
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.ATTACH)
    before, after = transition(case, Action.ATTACH)
    name, mime = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    audience = Audience.INTERNAL if internal and acting.role != "citizen" else Audience.PARTIES
    assert acting.user is not None
    attachment = Attachment(
        case=case, name=name, content_type=mime, size=upload.size or 0, sha256=digest.hexdigest(),
        uploaded_by=acting.user, uploaded_at=clock.now(), audience=audience,
    )
    attachment.file.save(f"{digest.hexdigest()[:16]}-{name}", upload, save=False)
    attachment.save()
    event = record(case, Action.ATTACH, before, after, acting, audience=audience,
                   data={"attachment": attachment.pk, "name": name, "size": attachment.size,
                         "sha256": attachment.sha256, "content_type": mime})
    save(case, event)
    return attachment
