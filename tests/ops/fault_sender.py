"""A sender for the fault tests: appends each message's dedup key to the file named by
``FENGQIAO_FAULT_SENT_LOG`` (one line per delivery, so a message sent twice shows twice), a little slowly so
that a kill lands while messages are being sent."""

from __future__ import annotations

import os
import time

from fengqiao.notifications.models import Outbox


class FileSender:
    def send(self, message: Outbox) -> None:
        time.sleep(0.0005)
        fd = os.open(os.environ["FENGQIAO_FAULT_SENT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{message.dedup_key}\n".encode())
        finally:
            os.close(fd)
