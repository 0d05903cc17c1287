"""A score's reasons are stored with their feature and value and shown in the reader's language."""

from __future__ import annotations

from django.utils import translation

from fengqiao.warning.services import reason_text


def test_a_reason_is_rendered_from_its_feature_and_value() -> None:
    stored = {"key": "party_contacts", "text": "同一当事人近 90 天反映 3 次", "weight": 0.8, "value": 3.0, "words": []}
    with translation.override("zh-hans"):
        assert reason_text(stored) == "同一当事人近 90 天反映 3 次"
    with translation.override("en"):
        assert reason_text(stored) == "Same party reported 3 times in the last 90 days"


def test_words_found_in_the_text_follow_the_reason() -> None:
    stored = {"key": "threat", "text": "", "weight": 0.5, "value": 1.0, "words": ["报复", "砍"]}
    with translation.override("zh-hans"):
        assert reason_text(stored) == "文本含威胁、报复言语（报复、砍）"


def test_a_rate_is_a_percentage() -> None:
    with translation.override("zh-hans"):
        assert reason_text({"key": "category_rate", "value": 0.234}) == "该类事项历史激化率 23%"


def test_rows_scored_before_values_were_kept_show_their_stored_text() -> None:
    assert reason_text({"key": "party_contacts", "text": "同一当事人近 90 天反映 4 次", "weight": 1}) == (
        "同一当事人近 90 天反映 4 次")
    assert reason_text({"key": "gone", "text": "旧原因", "value": 1}) == "旧原因"
