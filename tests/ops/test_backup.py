"""Backup and restore, round trip on the database the suite runs on (SQLite, or PostgreSQL with
FENGQIAO_DATABASE_URL): cases and an attachment backed up, changed, restored identical; damaged or newer
backups refused."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.cases import services
from fengqiao.cases.models import Attachment, Case, CaseEvent, Party
from fengqiao.ops import archive
from tests.cases.builders import register
from tests.cases.test_attachments import png_bytes
from tests.factories import build_city

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot(case_pk: int) -> dict[str, Any]:
    case = Case.objects.get(pk=case_pk)
    return {
        "code": case.code, "title": case.title, "description": case.description, "status": case.status,
        "version": case.version,
        "events": list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", "action", "hash")),
        "parties": [(p.name, p.phone) for p in Party.objects.filter(case=case).order_by("pk")],
    }


def _backup(into: Path) -> Path:
    call_command("backup", str(into), "--no-progress", stdout=io.StringIO())
    (archive_path,) = into.glob("fengqiao-*.tar")
    return archive_path


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_round_trip(media: Path, tmp_path: Path) -> None:
    city = build_city()
    cases = [register(city, title=f"小区电梯故障 {i}") for i in range(3)]
    photo = png_bytes()
    attachment = services.attach(city.users["operator"], cases[0].code,
                                 upload=SimpleUploadedFile("现场.png", photo, "image/png"))
    before = snapshot(cases[0].pk)
    counts_before = {"cases": Case.objects.count(), "events": CaseEvent.objects.count(),
                     "attachments": Attachment.objects.count()}
    saved = _backup(tmp_path / "backups")

    with tarfile.open(saved) as tar:
        manifest = json.loads(tar.extractfile(archive.MANIFEST).read())  # type: ignore[union-attr]
    assert manifest["counts"]["cases_case"] == 3
    assert manifest["media"]["files"] == 1
    assert manifest["heads"]["cases"] == manifest["migrations"]["cases"][-1]
    assert (saved.parent / f"{saved.name}.sha256").read_text().split()[0] == archive.sha256_of(saved)

    # after the backup: one case changed, one more registered, the photo lost
    Case.objects.filter(pk=cases[0].pk).update(title="被改过的标题", version=99)
    register(city, title="备份之后登记的")
    stored = media / attachment.file.name
    stored.unlink()
    assert Case.objects.count() == 4

    out = io.StringIO()
    call_command("restore", str(saved), "--yes", "--no-progress", stdout=out)
    assert "row counts match the manifest" in out.getvalue()

    assert {"cases": Case.objects.count(), "events": CaseEvent.objects.count(),
            "attachments": Attachment.objects.count()} == counts_before
    assert snapshot(cases[0].pk) == before
    assert not Case.objects.filter(title="备份之后登记的").exists()
    assert stored.read_bytes() == photo
    kept = list(media.parent.glob("media.before-restore-*"))
    assert len(kept) == 1  # the files as they were before the restore, kept for the operator
    call_command("audit", "verify", stdout=io.StringIO())  # the chains are whole again


def _rewrite(saved: Path, out: Path, change: Any) -> Path:
    """A copy of the backup with ``change(name, bytes) -> bytes`` applied to each member."""
    with tarfile.open(saved) as src, tarfile.open(out, "w:") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_damaged_newer_and_foreign_backups_are_refused(media: Path, tmp_path: Path) -> None:
    city = build_city()
    register(city)
    saved = _backup(tmp_path / "backups")

    def flip(name: str, data: bytes) -> bytes:
        if name.startswith("database."):
            return data[:-10] + bytes(b ^ 0xFF for b in data[-10:])
        return data

    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", str(_rewrite(saved, tmp_path / "damaged.tar", flip)), "--yes", "--no-progress")

    def newer(name: str, data: bytes) -> bytes:
        if name == archive.MANIFEST:
            manifest = json.loads(data)
            manifest["migrations"]["cases"].append("9999_from_the_future")
            return json.dumps(manifest).encode()
        return data

    with pytest.raises(CommandError, match=r"made by newer code.*cases\.9999_from_the_future"):
        call_command("restore", str(_rewrite(saved, tmp_path / "newer.tar", newer)), "--yes", "--no-progress")

    def other_vendor(name: str, data: bytes) -> bytes:
        if name == archive.MANIFEST:
            manifest = json.loads(data)
            manifest["database"]["vendor"] = "mysql"
            return json.dumps(manifest).encode()
        return data

    with pytest.raises(CommandError, match="is a mysql backup"):
        call_command("restore", str(_rewrite(saved, tmp_path / "foreign.tar", other_vendor)), "--yes", "--no-progress")

    not_ours = tmp_path / "not-ours.tar"
    with tarfile.open(not_ours, "w:") as tar:
        tar.addfile(tarfile.TarInfo("../../etc/passwd"), io.BytesIO(b""))
    with pytest.raises(CommandError, match="is not a fengqiao backup"):
        call_command("restore", str(not_ours), "--yes", "--no-progress")

    assert Case.objects.count() == 1  # nothing was touched


def test_restore_asks_for_confirmation(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", str(tmp_path / "x.tar"))
