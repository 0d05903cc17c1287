"""``fengqiao check --deploy`` is clean in production settings: no warning at all (docs/security.md)."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client


def test_the_deploy_check_is_clean_in_production_settings(tmp_path: Path) -> None:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FENGQIAO_")}
    env.update({
        "FENGQIAO_DEBUG": "0",
        "FENGQIAO_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "FENGQIAO_ALLOWED_HOSTS": "fengqiao.example.gov.cn",
        "FENGQIAO_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
    })
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout, done.stdout + done.stderr
    assert "WARNING" not in done.stderr


@pytest.mark.django_db
def test_plain_http_is_redirected_but_the_health_probes_are_not(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    page = client.get("/portal/")
    assert (page.status_code, page["Location"]) == (301, "https://testserver/portal/")
    assert client.get("/healthz").status_code == 200
    secure = client.get("/portal/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["Referrer-Policy"] == "same-origin"
    assert secure["Cross-Origin-Opener-Policy"] == "same-origin"
    assert secure["X-Content-Type-Options"] == "nosniff"
