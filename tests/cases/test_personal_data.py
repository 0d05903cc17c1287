"""Parties' personal data: encrypted at rest, masked on screen, revealed only to roles that need it, audited."""

from __future__ import annotations

import pytest
from django.db import connection

from fengqiao.audit.models import PersonalDataView
from fengqiao.cases import selectors, services
from fengqiao.cases.models import Party
from fengqiao.kit import pii
from fengqiao.kit.errors import PermissionDenied
from tests.cases.builders import register
from tests.factories import City

NAME, PHONE, ID_NUMBER, ADDRESS = "欧阳明华", "13812345678", "32120219900101101X", "泰州市海陵区东风路18号3栋"


def _case(city: City, phone: str = PHONE, id_number: str = ID_NUMBER):  # type: ignore[no-untyped-def]
    party = services.PartyInput(name=NAME, phone=phone, id_number=id_number, address=ADDRESS)
    return register(city, parties=[party])


def test_id_number_is_valid() -> None:
    from fengqiao.kit.validators import id_check_char, id_number_error

    assert id_check_char(ID_NUMBER[:17]) == "X"
    assert id_number_error(ID_NUMBER) is None


def test_nothing_is_stored_in_plain_text(city: City) -> None:
    case = _case(city)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, id_number, address, phone_hash, id_hash FROM cases_party "
                       "WHERE case_id = %s", [case.pk])
        row = cursor.fetchone()
    stored = " ".join(row)
    for plain in (NAME, PHONE, ID_NUMBER, ADDRESS, "12345678", "0101101X", "欧阳", "东风路"):
        assert plain not in stored
    name, phone, id_number, address, phone_hash, id_hash = row
    assert all(value.startswith("gAAAAA") for value in (name, phone, id_number, address))  # Fernet tokens
    assert (pii.decrypt(name), pii.decrypt(phone), pii.decrypt(id_number), pii.decrypt(address)) == (
        NAME, PHONE, ID_NUMBER, ADDRESS)
    assert (phone_hash, id_hash) == (pii.lookup_hash("phone", PHONE), pii.lookup_hash("id", ID_NUMBER))
    assert len(phone_hash) == 64
    assert PHONE not in phone_hash


def test_the_same_value_encrypts_differently_each_time(city: City) -> None:
    _case(city)
    _case(city)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM cases_party ORDER BY id")
        (a, hash_a), (b, hash_b) = cursor.fetchall()
    assert a != b  # no equality leak through the ciphertext …
    assert hash_a == hash_b  # … look-ups go through the keyed hash


@pytest.mark.parametrize("written", ["13812345678", "138 1234 5678", "+86 138 1234 5678", "+8613812345678",
                                     "8613812345678", " 1381234 5678 "])
def test_lookup_hash_is_the_same_however_the_phone_is_written(written: str) -> None:
    assert pii.lookup_hash("phone", written) == pii.lookup_hash("phone", "13812345678")


def test_lookup_hashes_differ_for_other_values_and_kinds() -> None:
    assert pii.lookup_hash("phone", "13812345679") != pii.lookup_hash("phone", "13812345678")
    assert pii.lookup_hash("id", "13812345678") != pii.lookup_hash("phone", "13812345678")
    assert pii.lookup_hash("id", ID_NUMBER.lower()) == pii.lookup_hash("id", ID_NUMBER)
    assert pii.lookup_hash("phone", "") == ""


def test_repeat_callers_found_by_hash_through_registration(city: City) -> None:
    first = _case(city, phone="+86 138 1234 5678")
    second = _case(city, phone="13812345678", id_number=ID_NUMBER.lower())
    wanted = pii.lookup_hash("phone", "138-1234-5678")
    assert set(Party.objects.filter(phone_hash=wanted).values_list("case_id", flat=True)) == {first.pk, second.pk}
    assert Party.objects.filter(id_hash=pii.lookup_hash("id", ID_NUMBER)).count() == 2


def test_masked_by_default(city: City) -> None:
    case = _case(city)
    views = selectors.parties(city.users["handler"], case)
    assert [(v.name, v.phone, v.id_number, v.address, v.masked) for v in views] == [
        ("欧***", "138****5678", "3212**********101X", "泰州市海陵区****", True)]
    assert PersonalDataView.objects.count() == 0


def test_reveal_for_a_pii_role_is_audited(city: City) -> None:
    case = _case(city)
    views = selectors.parties(city.users["operator"], case, reveal=True, ip_address="192.168.1.20")
    assert [(v.name, v.phone, v.id_number, v.address, v.masked) for v in views] == [
        (NAME, PHONE, ID_NUMBER, ADDRESS, False)]
    view = PersonalDataView.objects.get()
    assert (view.user_id, view.role, view.subject, view.fields, view.purpose, view.ip_address) == (
        city.users["operator"].pk, "operator", f"case:{case.code}", "name,phone,id_number,address", "办理案件",
        "192.168.1.20")


@pytest.mark.parametrize("role", ["dispatcher", "grid_worker", "risk_officer", "leader"])
def test_reveal_refused_for_other_roles(city: City, role: str) -> None:
    case = _case(city)
    with pytest.raises(PermissionDenied) as caught:
        selectors.parties(city.users[role], case, reveal=True)
    assert caught.value.message == "您的角色不能查看当事人的完整信息。"
    assert PersonalDataView.objects.count() == 0


@pytest.mark.parametrize(("value", "masked"), [
    ("", ""), ("李", "李*"), ("12345", "*****"), ("0523-8888888", "052****8888"), ("泰州", "泰州****"),
])
def test_masks_of_short_and_odd_values(value: str, masked: str) -> None:
    mask = pii.mask_name if value in ("", "李") else pii.mask_address if value == "泰州" else pii.mask_phone
    assert mask(value) == masked


def test_a_token_under_another_key_shows_a_warning_not_a_crash() -> None:
    assert pii.decrypt("gAAAAABnot-a-real-token") == "⚠"
