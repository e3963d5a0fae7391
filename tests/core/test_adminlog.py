import pytest

from motcua.core.adminlog import CHANGED, Kind, field_changes, kind_of, masked


@pytest.mark.parametrize(
    ("name", "hidden"),
    [
        ("password", True),
        ("password_hash", True),
        ("client_secret", True),
        ("tracking_secret", True),
        ("api_token", True),
        ("signing_key", True),
        ("otp", True),
        ("id_number", True),
        ("collector_id_number", True),
        ("phone", True),
        ("email", True),
        ("address", True),
        ("full_name", True),
        ("applicant_name", True),
        ("provider_subject", True),
        ("username", False),
        ("first_name", False),
        ("is_superuser", False),
        ("groups", False),
        ("code", False),
        ("name", False),
        ("keyword", False),
        ("monkey", False),
    ],
)
def test_it_masks_secrets_and_personal_fields(name, hidden):
    assert masked(name) is hidden


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        ({"name": "A"}, {"name": "A"}, {}),
        ({"name": "A"}, {"name": "B"}, {"name": ["A", "B"]}),
        (None, {"name": "A", "active": True}, {"active": [None, True], "name": [None, "A"]}),
        ({"name": "A"}, None, {"name": ["A", None]}),
        ({"password": "md5$x"}, {"password": "md5$y"}, {"password": CHANGED}),
        ({"password": "md5$x"}, {"password": "md5$x"}, {}),
        (None, {"password": "md5$x"}, {"password": CHANGED}),
        ({"groups": [1]}, {"groups": [1, 2]}, {"groups": [[1], [1, 2]]}),
        ({"id_number": "001090000001"}, {"id_number": "001090000002"}, {"id_number": CHANGED}),
    ],
)
def test_it_lists_what_changed(before, after, changes):
    assert field_changes(before, after) == changes


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (None, {"a": 1}, Kind.ADD),
        ({"a": 1}, None, Kind.DELETE),
        ({"a": 1}, {"a": 2}, Kind.CHANGE),
        (None, None, None),
    ],
)
def test_it_tells_the_kind(before, after, kind):
    assert kind_of(before, after) is kind


def test_a_secret_value_never_appears():
    changes = field_changes({"password": "argon2$old"}, {"password": "argon2$new"})
    assert "argon2" not in repr(changes)
