"""申请: the citizen app's application with its evidence, as one change — the files are checked before
anything is written, then the matter is applied for (mediation.services.apply) and the files kept as the
mediation's first evidence (mediation.services.citizen).  A bad file and nothing is registered."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.cases.services.attachments import check_upload
from fengqiao.kit.errors import ValidationFailed
from fengqiao.kit.validators import id_number_error
from fengqiao.mediation.models import Mediation, RequestType
from fengqiao.mediation.services._core import Citizen
from fengqiao.mediation.services.apply import ApplyInput, apply
from fengqiao.mediation.services.apply import _check as check_application
from fengqiao.mediation.services.citizen import MAX_FILES, add_evidence


def check_files(uploads: list[UploadedFile]) -> None:
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES},
                               fields={"file": _("最多 %(n)s 个") % {"n": MAX_FILES}})
    for upload in uploads:
        check_upload(upload)


def _own_checks(data: ApplyInput, uploads: list[UploadedFile]) -> dict[str, str]:
    """What the app checks beyond the application service: the ID number's form, the files."""
    errors: dict[str, str] = {}
    if not data.respondents and data.request_type != RequestType.CONSULTATION:
        errors["respondent_1_name"] = _("请填写被申请人（对方当事人）")
    number = data.applicant.id_number.strip().upper()
    problem = id_number_error(number) if number else None
    if problem:
        errors["applicant_id_number"] = problem
    try:
        check_files(uploads)
    except ValidationFailed as e:
        errors["file"] = e.message
    return errors


@transaction.atomic
def submit(citizen: Citizen, data: ApplyInput, uploads: list[UploadedFile]) -> Mediation:
    errors = _own_checks(data, uploads)
    if errors:  # every field's problem at once: the service's own checks too
        try:
            check_application(data)
        except ValidationFailed as e:
            errors = {**e.fields, **errors}
        listed = pgettext("list separator", "；").join(errors.values())
        raise ValidationFailed(_("申请信息有误：%(errors)s。") % {"errors": listed}, fields=errors)
    mediation = apply(citizen, data)
    if uploads:
        add_evidence(citizen, mediation.code, uploads, note="申请时提交")
    return mediation
