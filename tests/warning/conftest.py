from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fengqiao.warning import model as escalation


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """Models are written under a fresh DATA_DIR."""
    settings.DATA_DIR = tmp_path
    escalation.forget()
    return tmp_path
