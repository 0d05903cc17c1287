"""A dispatcher, with two-factor login required, enrols her authenticator in the browser and logs in again
with a code computed from the secret the page showed her."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django.test import override_settings
from django_otp.oath import TOTP

from tests.factories import PASSWORD, City
from tests.web.browser_kit import DESKTOP, SHOTS

pytestmark = pytest.mark.browser


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in(browser: Any, base: str) -> Any:
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("form button.primary")
    return page


@override_settings(TWO_FACTOR_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_enrol_then_log_in_with_a_code(live_city: City, live_server: Any, browser: Any) -> None:
    base = live_server.url
    page = sign_in(browser, base)
    page.wait_for_url(f"{base}/account/two-factor/?next=%2F")
    assert page.locator("figure.qr svg").count() == 1
    assert "您的岗位须启用两步验证" in page.inner_text("main")
    secret = page.inner_text("#totp-secret")
    page.fill("#id_code", "000000" if totp_code(secret) != "000000" else "111111")
    page.click("form button.primary")
    assert "动态码不正确" in page.inner_text("[role=alert]")
    page.fill("#id_code", totp_code(secret))
    page.click("form button.primary")
    page.wait_for_url(f"{base}/account/two-factor/recovery-codes/?next=%2F")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(SHOTS / "two_factor_recovery_codes.png"))
    page.click("text=我已保存，继续")
    page.wait_for_url(f"{base}/")
    page.context.close()

    again = sign_in(browser, base)
    again.wait_for_url(f"{base}/account/two-factor/verify/?next=%2F")
    again.screenshot(path=str(SHOTS / "two_factor_verify.png"))
    again.fill("#id_code", totp_code(secret, steps_ahead=1))  # the enrolment used this step's code
    again.click("form button.primary")
    again.wait_for_url(f"{base}/")
    assert again.locator("#main").count() == 1
    again.context.close()
