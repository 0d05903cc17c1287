from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.mediation import steps


@pytest.fixture
def traveller() -> Iterator[Any]:
    """The clock frozen on a working Monday morning; ``move_to`` moves it on (past a session …)."""
    with time_machine.travel(steps.MONDAY, tick=False) as moving:
        yield moving
