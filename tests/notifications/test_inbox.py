"""The in-app inbox: the bell's unread count in the header, /notifications/, mark read — each user sees
only her own messages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from fengqiao.notifications import services
from fengqiao.notifications.models import Outbox
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.web.conftest import login


def queue_for(city: City, username: str, key: str, case_id: int | None = None) -> None:
    services.queue([services.Draft(dedup_key=key, channel="in_app", subject=f"【督办】{key}", body="请尽快办理",
                                   recipient_id=city.users[username].pk, kind="supervise", case_id=case_id)])


def test_the_bell_counts_my_unread_messages_only(client: Client, city: City) -> None:
    queue_for(city, "handler", "a")
    queue_for(city, "handler", "b")
    queue_for(city, "handler2", "c")
    services.queue([services.Draft(dedup_key="sms", channel="sms", subject="短信",
                                   recipient_id=city.users["handler"].pk)])  # not an in-app message
    login(client, city, "handler")
    page = client.get(reverse("inbox"))
    assert page.context["unread_notifications"] == 2
    assert 'class="bell-count">2<' in page.content.decode()
    inbox = client.get(reverse("notifications"))
    assert [n.subject for n in inbox.context["page"].items] == ["【督办】b", "【督办】a"]
    assert "【督办】c" not in inbox.content.decode()


def test_mark_one_read_and_all_read(client: Client, city: City) -> None:
    case = dispatch(city, register(city))
    queue_for(city, "handler", "a", case.pk)
    queue_for(city, "handler", "b")
    queue_for(city, "handler2", "c")
    login(client, city, "handler")
    a = Outbox.objects.get(dedup_key="a")
    response = client.post(reverse("notifications_read"), {"id": a.pk, "next": f"/cases/{case.code}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.code}/"
    assert client.get(reverse("inbox")).context["unread_notifications"] == 1
    other = Outbox.objects.get(dedup_key="c")
    client.post(reverse("notifications_read"), {"id": other.pk})  # someone else's: untouched
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("notifications_read"))
    assert client.get(reverse("inbox")).context["unread_notifications"] == 0
    assert Outbox.objects.get(dedup_key="c").read_at is None


def test_the_inbox_needs_a_login(client: Client) -> None:
    response = client.get(reverse("notifications"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client.get(reverse("notifications_read")).status_code == 302
