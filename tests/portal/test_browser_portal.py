"""The citizen app in a real browser at a phone's size (390×844): a citizen verifies her phone (the code read
from the outbox, as her phone would get it), applies with evidence, gets the dispute code and its QR code,
chooses a mediator; the mediator accepts, schedules, records and signs an agreement on her own pages; the
citizen follows each step with the code, applies jointly for judicial confirmation (the respondent's code
from the respondent's phone), a judge confirms, and the citizen rates.  A stranger sees the public page
only; a guesser is locked out.  Screenshots: tests/screenshots/portal-*.png."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from fengqiao.cases.models import Party, PartyRole
from fengqiao.kit import clock
from fengqiao.mediation.models import Mediation
from fengqiao.mediation.states import MState
from fengqiao.notifications.models import Outbox
from tests.factories import City
from tests.mediation import steps
from tests.mediation.factories import APPLICANT_PHONE, RESPONDENT_PHONE, build_world
from tests.web.browser_kit import PHONE, SHOTS, Clerk

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + (
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")



def code_sent_to(phone: str) -> str:
    for row in Outbox.objects.filter(kind="verification").order_by("-pk"):
        if row.to_address == phone:
            found = re.search(r"验证码 (\d{6})", row.body)
            assert found is not None
            return found.group(1)
    raise AssertionError(f"no code sent to {phone}")


class Phone:
    """A citizen's phone browser."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                           device_scale_factor=2)
        self.page = self.context.new_page()
        self.base = base

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"portal-{name}.png"), full_page=True)

    def status(self) -> str:
        return str(self.page.locator("[data-testid=status]").inner_text()).strip()


def local(moment: dt.datetime) -> str:
    return clock.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_citizen_follows_her_mediation_on_a_phone(browser: Any, live_server: Any, live_city: City) -> None:
    build_world(live_city)  # a street committee with two mediators, a district court with a judge
    citizen = Phone(browser, live_server.url)
    page = citizen.page
    citizen.goto("/portal/")
    assert page.get_by_role("link", name=re.compile("申请调解")).count() == 1
    citizen.shot("01-home")

    # verify the phone, then apply
    page.get_by_role("link", name=re.compile("申请调解")).click()
    page.wait_for_url("**/portal/verify/**")
    citizen.shot("02-verify-phone")
    page.fill("#phone", APPLICANT_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/portal/verify/code/**")
    page.fill("#code", "000000" if code_sent_to(APPLICANT_PHONE) != "000000" else "111111")
    page.get_by_role("button", name="验证", exact=True).click()
    assert "验证码不正确，还可再试 4 次。" in page.locator("[role=alert]").inner_text()
    citizen.shot("03-verify-code-wrong")
    page.fill("#code", code_sent_to(APPLICANT_PHONE))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url("**/portal/apply/mediation/")
    assert page.get_by_test_id("verified-phone").inner_text() == "138****1111"

    page.select_option("#dispute_type", label="社区邻里纠纷")
    page.select_option("#street", label="城东街道")
    page.fill("#address", "东风社区 3 幢 2 单元")
    page.fill("#description", "楼上邻居装修三个月，每晚十点后仍在电钻施工，老人孩子无法休息，多次上门沟通无果。")
    page.fill("#demand", "晚上八点后停止施工，赔偿误工损失 1500 元。")
    page.fill("#amount", "1500")
    page.fill("#applicant_name", "张三")
    citizen.shot("04-apply-form")
    page.get_by_role("button", name="提交申请，领取解纷码").click()
    page.wait_for_load_state("load")  # no respondent: the form again, asking for one at its field
    assert "请填写被申请人（对方当事人）" in page.locator(".respondent .field-error").inner_text()
    assert page.locator("#description").input_value().startswith("楼上邻居装修三个月")
    citizen.shot("04b-apply-form-error")
    page.locator("input[name=respondent_name]").first.fill("李四")
    page.locator("input[name=respondent_phone]").first.fill(RESPONDENT_PHONE)
    page.set_input_files("#evidence", files=[{"name": "噪音记录.png", "mimeType": "image/png", "buffer": PNG}])
    page.check("input[name=choose_now]")
    page.get_by_role("button", name="提交申请，领取解纷码").click()
    page.wait_for_url("**/saved/?choose=1")
    code = page.get_by_test_id("dispute-code").inner_text().strip()
    assert re.fullmatch(r"JF-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert page.locator("[data-testid=qr] svg").count() == 1
    citizen.shot("05-code-and-qr")

    # choose a mediator
    page.get_by_test_id("choose-mediator").click()
    page.wait_for_url(f"**/portal/track/{code}/mediators/")
    assert page.get_by_text("为您推荐", exact=True).count() == 1
    citizen.shot("06-mediators")
    page.get_by_role("button", name="选择 王秀英").first.click()
    page.wait_for_url(f"**/portal/track/{code}/")
    assert "已选定调解员王秀英" in page.locator(".messages").inner_text()
    assert citizen.status() == "待受理"
    citizen.shot("07-track-applied")

    # the mediator works on her own pages; the citizen follows with the code
    mediator = Clerk(browser, live_server.url, "mediator_a")
    mediator.goto(f"/mediation/{code}/")
    mediator.act("accept")
    assert mediator.status() == "已受理"
    starts = clock.now() + dt.timedelta(minutes=30)
    mediator.act("schedule", {"place": "城东街道人民调解委员会调解室", "starts_at": local(starts), "minutes": "60"})
    assert mediator.status() == "已排期"
    citizen.goto(f"/portal/track/{code}/")
    assert citizen.status() == "已排期"
    assert "城东街道人民调解委员会调解室" in page.get_by_test_id("dim-consultation").inner_text()
    citizen.shot("08-track-scheduled")

    with time_machine.travel(starts + dt.timedelta(minutes=75), tick=True):
        mediator.goto(f"/mediation/{code}/")
        mediator.act("record", {"attendees": "张三（申请人）、李四（被申请人）、王秀英（调解员）",
                                "record": steps.RECORD})
        assert mediator.status() == "调解中"
        mediator.act("agree", {"terms": steps.TERMS, "perform_by": (clock.today() + dt.timedelta(days=20)).isoformat()})
        assert mediator.status() == "达成协议"

        citizen.goto(f"/portal/track/{code}/")
        assert citizen.status() == "达成协议"
        assert "一、被申请人自即日起" in page.get_by_test_id("terms").inner_text()
        citizen.shot("09-track-agreed")

        # a stranger with the code sees the public page only
        stranger = Phone(browser, live_server.url)
        stranger.goto(f"/portal/track/{code}/")
        assert "王秀英" in stranger.page.get_by_test_id("dim-personnel").inner_text()
        assert "张三" not in stranger.page.content()
        assert "一、被申请人自即日起" not in stranger.page.content()
        stranger.shot("10-track-public")

        # the joint application for judicial confirmation
        page.get_by_role("link", name="申请司法确认").click()
        page.wait_for_url(f"**/portal/track/{code}/confirmation/")
        page.select_option("#court", label="海陵区人民法院")
        page.check("input[name=joint]")
        page.get_by_role("button", name="向被申请人发送同意验证码").click()
        page.wait_for_load_state("load")
        respondent = Party.objects.get(case__mediation__code=code, role=PartyRole.RESPONDENT)
        page.fill(f"#consent-{respondent.pk}", code_sent_to(RESPONDENT_PHONE))
        page.select_option("#court", label="海陵区人民法院")
        page.check("input[name=joint]")
        citizen.shot("11-confirmation-form")
        page.get_by_role("button", name="提交司法确认申请").click()
        page.wait_for_url(f"**/portal/track/{code}/")
        assert citizen.status() == "司法确认中"

        judge = Clerk(browser, live_server.url, "judge_a")
        judge.goto(f"/mediation/confirmations/{code}/")
        judge.act("confirm", {"note": ""})
        assert judge.status() == "已司法确认"

        citizen.goto(f"/portal/track/{code}/")
        assert citizen.status() == "已司法确认"
        assert "确认有效" in page.get_by_test_id("confirmation").inner_text()
        citizen.shot("12-track-confirmed")

        page.get_by_role("link", name="评价", exact=True).click()
        page.wait_for_url(f"**/portal/track/{code}/rate/")
        page.locator("label[for=star-5]").click()
        page.fill("#comment", "调解员耐心细致，很快解决了问题。")
        citizen.shot("13-rate")
        page.get_by_role("button", name="提交评价", exact=True).click()
        page.wait_for_url(f"**/portal/track/{code}/rate/")
        assert page.get_by_test_id("rated").count() == 1
        citizen.shot("14-rated")

    assert Mediation.objects.get(code=code).status == MState.CONFIRMED
    assert Mediation.objects.get(code=code).rating == 5
    # in English
    citizen.goto(f"/portal/track/{code}/")
    with page.expect_navigation():
        page.get_by_role("button", name="EN").click()
    citizen.shot("15-track-english")
    assert page.get_by_test_id("status").inner_text().strip() == "Judicially confirmed"
    # a guesser (here: on the same network as everyone above) is locked out
    for i in range(10):
        stranger.goto(f"/portal/track/JF-AAAA-AAAA-AA{i}A/")
    assert "解纷码输错次数过多" in stranger.page.content()
    stranger.shot("16-locked-out")
    mediator.close()
    judge.close()
    stranger.context.close()
    citizen.context.close()


def test_refusals_on_a_phone_and_the_app_on_a_desktop(browser: Any, live_server: Any, live_city: City) -> None:
    from fengqiao.kit import pii
    from fengqiao.mediation.models import MediatorTie
    from tests.mediation.factories import applied

    world = build_world(live_city)
    mediation = applied(world)
    MediatorTie.objects.create(mediator=world.mediators[0], relation="被申请人的表姐",
                               phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    citizen = Phone(browser, live_server.url)
    page = citizen.page
    citizen.goto("/portal/track/")
    page.fill("#code", "JF-AAAA-AAAA-AAAA")
    page.get_by_role("button", name="查询", exact=True).click()
    assert "没有找到解纷码 JF-AAAA-AAAA-AAAA" in page.locator("[role=alert]").inner_text()
    citizen.shot("20-track-wrong-code")

    citizen.goto(f"/portal/track/{mediation.code}/mediators/")  # verify first, then back here
    page.fill("#phone", APPLICANT_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/portal/verify/code/**")
    citizen.shot("21-verify-code")
    page.fill("#code", code_sent_to(APPLICANT_PHONE))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(f"**/portal/track/{mediation.code}/mediators/")
    card = page.locator(f"[data-mediator='{world.mediators[0].pk}']").last
    assert card.get_by_role("button", name="与当事人有利害关系，须回避").is_disabled()
    citizen.shot("22-mediator-tied")
    # she is away now, after the page was drawn: choosing her (李建国) is refused at his card
    from fengqiao.mediation.models import Mediator

    Mediator.objects.filter(pk=world.mediators[1].pk).update(available=False)
    page.locator(f"[data-mediator='{world.mediators[1].pk}']").first.get_by_role("button", name="选择 李建国").click()
    page.wait_for_load_state("load")
    assert "暂不接受新的调解" in page.locator("[role=alert]").first.inner_text()
    citizen.shot("22b-mediator-refused")
    assert Mediation.objects.get(pk=mediation.pk).mediator_id is None
    Mediator.objects.filter(pk=world.mediators[1].pk).update(available=True)

    citizen.goto(f"/portal/track/{mediation.code}/evidence/")
    page.set_input_files("#files", files=[{"name": "收据.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}])
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state("load")
    assert "与扩展名 .jpg 不符" in page.locator("[role=alert]").inner_text()
    citizen.shot("23-evidence-refused")
    page.set_input_files("#files", files=[{"name": "收据.png", "mimeType": "image/png", "buffer": PNG}])
    page.fill("#note", "装修噪音期间的误工收据")
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state("load")
    assert "收据.png" in page.get_by_test_id("files").inner_text()
    citizen.shot("24-evidence-kept")

    citizen.goto(f"/portal/track/{mediation.code}/withdraw/")
    page.fill("#reason", "双方已自行和解")
    citizen.shot("25-withdraw")
    page.get_by_role("button", name="确认撤回").click()
    page.wait_for_url(f"**/portal/track/{mediation.code}/")
    assert citizen.status() == "已撤回"
    citizen.shot("26-track-withdrawn")
    citizen.context.close()

    desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    screen = desktop.new_page()
    screen.goto(f"{live_server.url}/portal/")
    screen.screenshot(path=str(SHOTS / "portal-30-home-desktop.png"), full_page=True)
    screen.goto(f"{live_server.url}/portal/track/{mediation.code}/")
    screen.screenshot(path=str(SHOTS / "portal-31-track-desktop.png"), full_page=True)
    desktop.close()
