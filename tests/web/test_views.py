"""The staff pages through Django's test client: what each role sees, and each error's status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fengqiao.audit.models import PersonalDataView
from fengqiao.cases import services
from fengqiao.cases.models import Case, Party
from fengqiao.cases.states import State
from tests.factories import PASSWORD, City
from tests.web.conftest import login, register_case


def _url(case: Case, action: str) -> str:
    return reverse("case_act", args=[case.code, action])


def test_login_required(client: Client, city: City) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_inbox_lists_case_in_tab_with_counts(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    response = client.get("/?tab=to_dispatch")
    html = response.content.decode()
    assert response.status_code == 200
    assert case.code in html
    assert 'class="tab active"' in html
    assert [(t.key, t.count) for t in response.context["tabs"]] == [
        ("to_dispatch", 1), ("disputed", 0), ("overdue", 0), ("to_evaluate", 0), ("all", 1),
    ]


def test_inbox_filter_partial_for_htmx(client: Client, city: City, case: Case) -> None:
    other = register_case(city, grid=2)
    Case.objects.filter(pk=other.pk).update(title="夜间施工噪音")
    login(client, city, "dispatcher")
    response = client.get("/", {"tab": "all", "q": "噪音"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the results fragment
    assert other.code in html
    assert case.code not in html


def test_inbox_empty_state_when_filter_matches_nothing(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    response = client.get("/", {"tab": "all", "q": "不存在的诉求"})
    assert "没有符合条件的诉求" in response.content.decode()


def test_parties_masked_by_default(client: Client, city: City, case: Case) -> None:
    login(client, city, "handler")
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "13812345678" not in html
    assert "138****5678" in html
    assert "张**" in html
    assert "显示完整信息" in html
    assert PersonalDataView.objects.count() == 0


def test_reveal_shows_full_data_and_writes_audit_row(client: Client, city: City, case: Case) -> None:
    login(client, city, "operator")
    response = client.post(reverse("case_reveal", args=[case.code]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "13812345678" in html
    assert "张三丰" in html
    view = PersonalDataView.objects.get()
    assert (view.user, view.subject, view.role) == (city.users["operator"], f"case:{case.code}", "operator")


def test_reveal_refused_for_role_without_need(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "显示完整信息" not in html
    response = client.post(reverse("case_reveal", args=[case.code]))
    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    assert PersonalDataView.objects.count() == 0


def test_case_out_of_scope_is_404(client: Client, city: City, case: Case) -> None:
    login(client, city, "other_grid_worker")
    response = client.get(reverse("case_detail", args=[case.code]))
    assert response.status_code == 404
    assert "没有找到案件" in response.content.decode()
    assert client.post(_url(case, "accept"), {"accept-expected_version": case.version}).status_code == 404


def test_unknown_action_is_404(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    assert client.post(_url(case, "explode"), {}).status_code == 404


def test_dispatch_then_redirect_with_message(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    response = client.post(_url(case, "dispatch"), {
        "dispatch-expected_version": case.version, "dispatch-lead_unit_id": city.departments[0].pk,
        "dispatch-assisting_unit_ids": [city.departments[1].pk], "dispatch-text": "请尽快处理",
    }, follow=True)
    assert response.redirect_chain == [(reverse("case_detail", args=[case.code]), 302)]
    case.refresh_from_db()
    assert case.status == State.DISPATCHED
    assert case.lead_unit == city.departments[0]
    assert "已完成：分拨交办" in response.content.decode()


def test_stale_version_is_409_and_changes_nothing(client: Client, city: City, case: Case) -> None:
    stale = case.version
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[1].pk)
    login(client, city, "dispatcher")
    response = client.post(_url(case, "dispatch"), {
        "dispatch-expected_version": stale, "dispatch-lead_unit_id": city.departments[0].pk,
    })
    assert response.status_code == 409
    assert "已被他人处理" in response.content.decode()
    case.refresh_from_db()
    assert case.lead_unit == city.departments[1]
    # the re-rendered form carries the version now on screen, so a deliberate resubmit works
    assert f'value="{case.version}"' in response.content.decode()


def test_role_without_permission_is_403(client: Client, city: City, case: Case) -> None:
    login(client, city, "grid_worker")
    response = client.post(_url(case, "dispatch"), {
        "dispatch-expected_version": case.version, "dispatch-lead_unit_id": city.departments[0].pk,
    })
    assert response.status_code == 403
    assert "无权执行" in response.content.decode()
    case.refresh_from_db()
    assert case.status == State.REGISTERED


def test_return_reason_too_short_is_field_error(client: Client, city: City, case: Case) -> None:
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    case.refresh_from_db()
    login(client, city, "handler")
    response = client.post(_url(case, "return"), {"return-expected_version": case.version, "return-text": "不"})
    assert response.status_code == 400
    form = next(o.form for o in response.context["offered"] if o.name == "return")
    assert form.errors["text"] == ["请填写退回理由"]
    case.refresh_from_db()
    assert case.status == State.DISPATCHED


def test_offered_actions_follow_role_and_state(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    names = [o.name for o in client.get(reverse("case_detail", args=[case.code])).context["offered"]]
    assert names == ["dispatch", "reply", "merge", "cancel", "escalate", "link", "attach"]
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    login(client, city, "handler")
    names = [o.name for o in client.get(reverse("case_detail", args=[case.code])).context["offered"]]
    assert names == ["accept", "return", "dispute", "link", "attach"]


def test_register_form_field_errors(client: Client, city: City) -> None:
    login(client, city, "operator")
    response = client.post(reverse("case_new"), {
        "channel": "hotline_12345", "title": "电梯故障", "description": "电梯停运", "urgency": "normal",
        "reporter_name": "李四", "reporter_phone": "12345",
    })
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["reporter_phone"]
    assert Case.objects.count() == 0
    response = client.post(reverse("case_new"), {"channel": "hotline_12345", "urgency": "normal"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "description"}


def test_register_success_redirects_to_case(client: Client, city: City) -> None:
    login(client, city, "operator")
    lng, lat = city.point_in(1)
    response = client.post(reverse("case_new"), {
        "channel": "hotline_12345", "title": "楼道堆放杂物", "description": "楼道长期堆放杂物，存在消防隐患",
        "category": city.categories["leaf"].pk, "urgency": "urgent", "address": "东风路 3 号",
        "lng": lng, "lat": lat, "reporter_name": "李四", "reporter_phone": "13900001111",
    })
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.code])
    assert (case.grid, case.urgency, case.registered_by) == (city.grids[1], "urgent", city.users["operator"])
    assert Party.objects.get(case=case).phone == "13900001111"


def test_register_forbidden_for_handler(client: Client, city: City) -> None:
    login(client, city, "handler")
    assert client.get(reverse("case_new")).status_code == 403


def test_citizen_sees_parties_timeline_and_evaluates(client: Client, city: City) -> None:
    citizen = city.users["citizen"]
    data = services.RegisterInput(channel="mini_program", title="路灯不亮", description="小区门口路灯坏了三天",
                                  parties=[services.PartyInput(name="王五", phone="13700002222")])
    case = services.register(citizen, data).case
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    services.accept(city.users["handler"], case.code)
    services.add_note(city.users["handler"], case.code, text="内部：需协调供电公司")
    services.reply(city.users["handler"], case.code, text="路灯已于今日修复，感谢您的反映。")
    login(client, city, "citizen")
    inbox = client.get("/")
    assert [t.key for t in inbox.context["tabs"]] == ["mine"]
    assert case.code in inbox.content.decode()
    page = client.get(reverse("case_detail", args=[case.code]))
    html = page.content.decode()
    assert "内部：需协调供电公司" not in html
    assert "13700002222" in html  # her own data, unmasked
    assert [o.name for o in page.context["offered"]] == ["evaluate", "attach"]
    case.refresh_from_db()
    response = client.post(_url(case, "evaluate"), {
        "evaluate-expected_version": case.version, "evaluate-rating": "unsatisfied", "evaluate-text": "",
    })
    assert response.status_code == 400  # unsatisfied needs a reason
    response = client.post(_url(case, "evaluate"), {
        "evaluate-expected_version": case.version, "evaluate-rating": "satisfied", "evaluate-text": "很及时",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == State.CLOSED


def test_lockout_after_five_failures(client: Client, city: City) -> None:
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "operator", "password": "wrong-password"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "operator", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已被暂时锁定" in response.content.decode()


def test_wrong_password_shows_message(client: Client, city: City) -> None:
    response = client.post(reverse("login"), {"username": "operator", "password": "wrong-password"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_language_switch_to_english_and_back(client: Client, city: City, case: Case) -> None:
    login(client, city, "dispatcher")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "To dispatch" in html
    assert "Inbox" in html
    assert "待分拨" not in html
    assert "left" in client.get(reverse("case_detail", args=[case.code])).content.decode()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
    assert '<html lang="zh-CN">' in response.content.decode()
    assert "待分拨" in response.content.decode()


def test_a_refused_action_reads_in_english(client: Client, city: City, case: Case) -> None:
    """Service errors are translated when raised: the clerk reads them in her language."""
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    case.refresh_from_db()
    login(client, city, "handler")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(_url(case, "return"), {"return-expected_version": case.version, "return-text": "不"})
    assert response.status_code == 400
    form = next(o.form for o in response.context["offered"] if o.name == "return")
    assert form.errors["text"] == ["Reason for return is required"]
    response = client.post(_url(case, "return"), {"return-expected_version": case.version - 1,
                                                   "return-text": "不属于本单位职责"})
    assert response.status_code == 409
    assert "The case changed after you opened it (Dispatch); it is now “To accept”." in response.content.decode()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def test_attach_upload_listed_and_downloaded_in_scope(client: Client, city: City, case: Case,
                                                      settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    login(client, city, "operator")
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(_url(case, "attach"), {"attach-expected_version": case.version, "attach-file": upload})
    assert response.status_code == 302
    attachment = case.attachments.get()
    page = client.get(reverse("case_detail", args=[case.code])).content.decode()
    url = reverse("attachment_download", args=[case.code, attachment.pk])
    assert url in page
    download = client.get(url)
    assert download.status_code == 200
    assert download.getvalue() == PNG
    assert "attachment" in download["Content-Disposition"]
    login(client, city, "other_grid_worker")
    assert client.get(url).status_code == 404


def test_attach_rejects_content_not_matching_extension(client: Client, city: City, case: Case,
                                                       settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    login(client, city, "operator")
    upload = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client.post(_url(case, "attach"), {"attach-expected_version": case.version, "attach-file": upload})
    assert response.status_code == 400
    form = next(o.form for o in response.context["offered"] if o.name == "attach")
    assert form.errors["file"] == ["文件内容与扩展名不符"]
    assert case.attachments.count() == 0


def test_extension_requested_then_approved_through_forms(client: Client, city: City, case: Case) -> None:
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    services.accept(city.users["handler"], case.code)
    case.refresh_from_db()
    deadline = case.deadline
    login(client, city, "handler")
    response = client.post(_url(case, "request_extension"), {
        "request_extension-expected_version": case.version, "request_extension-working_days": "3",
        "request_extension-text": "需等待配件到货后维修",
    })
    assert response.status_code == 302
    page = client.get(reverse("case_detail", args=[case.code]))
    assert "request_extension" not in [o.name for o in page.context["offered"]]  # one pending at a time
    case.refresh_from_db()
    login(client, city, "dispatcher")
    page = client.get(reverse("case_detail", args=[case.code]))
    assert [o.name for o in page.context["offered"]] == [
        "dispatch", "note", "approve_extension", "refuse_extension", "escalate", "link", "attach",
    ]
    assert "待审批的延期申请" in page.content.decode()
    response = client.post(_url(case, "approve_extension"), {"approve_extension-expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.deadline is not None
    assert deadline is not None
    assert case.deadline > deadline


def test_citizen_registers_own_matter_without_channel(client: Client, city: City) -> None:
    login(client, city, "citizen")
    page = client.get(reverse("case_new")).content.decode()
    assert 'name="channel"' not in page
    response = client.post(reverse("case_new"), {
        "title": "路灯不亮", "description": "小区门口路灯坏了三天", "urgency": "normal",
        "reporter_name": "王五", "reporter_phone": "13700002222",
    })
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.channel, case.citizen) == ("mini_program", city.users["citizen"])
