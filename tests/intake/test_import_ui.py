"""The import screens: who may import, upload → job → progress fragment → error report (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fengqiao.cases.models import Case
from fengqiao.intake.models import ImportJob, JobStatus
from tests.factories import City
from tests.intake.test_import_pipeline import HEADER, rows_csv
from tests.web.conftest import login


@pytest.fixture(autouse=True)
def _immediate_huey(settings: object, tmp_path: Path) -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True  # for these tests only: later tests expect queued jobs (an SMS not yet sent)
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    yield
    HUEY.immediate = before


def upload(city: City, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("工单.csv", ("\n".join(lines) + "\n").encode("gb18030"), content_type="text/csv")


@pytest.mark.django_db(transaction=True)
def test_upload_runs_job_shows_progress_and_error_report(city: City, client: Client) -> None:
    login(client, city, "operator")
    bad = "X-1,标题,,010101,一般,,,,,李四,13800001111,"
    response = client.post("/imports/new/", {
        "channel": "hotline_12345", "mapping": "hotline_12345",
        "file": upload(city, [HEADER, *rows_csv(city, 3), bad]),
    })
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    assert (job.status, job.created, job.failed, job.total_rows) == (JobStatus.DONE, 3, 1, 4)
    assert Case.objects.count() == 3
    page = client.get(f"/imports/{job.pk}/")
    assert "下载错误报告" in page.content.decode()
    assert "第 5 行 description" in page.content.decode()
    fragment = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('\n<div id="import-progress"') or fragment.lstrip().startswith("<div")
    assert 'hx-trigger="every 1s"' not in fragment  # finished: polling stops
    report = client.get(f"/imports/{job.pk}/errors.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    body = report.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["行号", "字段", "原因", "原始数据"]
    assert rows[1][:3] == ["5", "description", "第 5 行 description（列「诉求内容」）：诉求内容为空"]
    assert "来电号码=13800001111" in rows[1][3]  # the operator may see personal data
    assert "批量导入" in client.get("/imports/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_running_job_fragment_polls(city: City, client: Client) -> None:
    login(client, city, "dispatcher")
    job = ImportJob.objects.create(channel="hotline_12345", file_name="a.csv", file_path="/nonexistent",
                                   file_sha256="0" * 64, mapping={}, created_by=city.users["dispatcher"],
                                   created_at="2024-03-01T00:00:00Z", status=JobStatus.RUNNING, total_rows=100,
                                   next_row=52, done_rows=50)
    fragment = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="50"' in fragment


@pytest.mark.django_db
def test_dispatcher_sees_report_with_personal_data_masked(city: City, client: Client) -> None:
    from fengqiao.intake import mapping
    from fengqiao.intake.models import ImportRowError

    raw, _ = mapping.load("hotline_12345")
    job = ImportJob.objects.create(channel="hotline_12345", file_name="a.csv", file_path="/x", file_sha256="0" * 64,
                                   mapping=raw, created_by=city.users["dispatcher"],
                                   created_at="2024-03-01T00:00:00Z", status=JobStatus.DONE)
    ImportRowError.objects.create(job=job, row=2, field="description", message="空",
                                  raw={"来电号码": "13800001111", "标题": "噪声"})
    body = login(client, city, "dispatcher").get(f"/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert "13800001111" not in body
    assert "来电号码=***" in body
    assert "标题=噪声" in body


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["handler", "grid_worker", "citizen", "leader"])
def test_other_roles_may_not_import(city: City, client: Client, username: str) -> None:
    login(client, city, username)
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/new/").status_code == 403


@pytest.mark.django_db
def test_upload_without_mapping_or_bad_toml_is_400(city: City, client: Client) -> None:
    login(client, city, "operator")
    response = client.post("/imports/new/", {"channel": "hotline_12345", "file": upload(city, [HEADER])})
    assert response.status_code == 400
    assert "请选择内置映射" in response.content.decode()
    toml = SimpleUploadedFile("m.toml", b"[columns]\n\"a\" = \"nope\"\n")
    response = client.post("/imports/new/", {"channel": "hotline_12345", "file": upload(city, [HEADER]),
                                             "mapping_file": toml})
    assert response.status_code == 400
    assert "字段 &#x27;nope&#x27; 未知" in response.content.decode()
    assert ImportJob.objects.count() == 0
