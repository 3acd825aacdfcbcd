"""The audit chain's keys: production refuses a weak or shared one, before it starts."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from halte.audit import keys
from halte.core.tests.test_settings import PRODUCTION_ENV, _manage

STRONG = "a-random-chain-key-" + "x9Q" * 6
OTHERS = {"SECRET_KEY": "s" * 50, "FIELD_ENCRYPTION_KEY": "f" * 40}


def _keys(current=STRONG, old=None, key_id="1"):
    return keys.chain_keys(key_id, current, old or {}, production=True, other_secrets=OTHERS)


def test_it_keeps_old_keys_beside_the_current_one():
    old = keys.parse_old_chain_keys(" 2025: old-key-one , 2025b:old-key-two")
    assert old == {"2025": "old-key-one", "2025b": "old-key-two"}
    assert keys.chain_keys("2026", STRONG, old, production=False, other_secrets={}) == {
        **old,
        "2026": STRONG,
    }


@pytest.mark.parametrize(
    ("current", "old", "key_id", "message"),
    [
        ("short", None, "1", "at least 32 characters"),
        (keys.DEV_CHAIN_KEY, None, "1", "at least 32 characters"),
        ("s" * 50, None, "1", "must differ from SECRET_KEY"),
        ("f" * 40, None, "1", "must differ from FIELD_ENCRYPTION_KEY"),
        (STRONG, {"0": "short"}, "1", r"\(id '0'\) must be a random string"),
        (STRONG, {"1": "x" * 40}, "1", "names the current key id '1'"),
        (STRONG, None, "no spaces", "AUDIT_CHAIN_KEY_ID is 1-16"),
    ],
)
def test_production_refuses_a_weak_or_shared_key(current, old, key_id, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        _keys(current, old, key_id)


@pytest.mark.parametrize("text", ["no-colon", ":key", "bad id:key", "a:1,a:2"])
def test_it_refuses_a_malformed_list_of_old_keys(text):
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_OLD_KEYS"):
        keys.parse_old_chain_keys(text)


@pytest.mark.parametrize("text", ["", "not base64!", "c2hvcnQ="])
def test_it_refuses_a_malformed_signing_key(text):
    with pytest.raises(ImproperlyConfigured, match="32 bytes in base64"):
        keys.signing_key(text)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("AUDIT_CHAIN_KEY", None, "AUDIT_CHAIN_KEY must be set"),
        ("AUDIT_CHAIN_KEY", PRODUCTION_ENV["SECRET_KEY"], "must differ from SECRET_KEY"),
        ("AUDIT_ANCHOR_FILE", None, "AUDIT_ANCHOR_FILE must be set"),
        ("AUDIT_ANCHOR_SIGNING_KEY", None, "AUDIT_ANCHOR_SIGNING_KEY must be set"),
        ("AUDIT_ANCHOR_SIGNING_KEY", keys.DEV_ANCHOR_SIGNING_KEY, "not the demo's"),
    ],
)
def test_production_does_not_start_without_its_own_audit_secrets(name, value, message):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
    if value is not None:
        env[name] = value
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_key_of_exactly_32_characters_is_long_enough():
    key = "k" * keys.MIN_CHAIN_KEY_LENGTH
    assert _keys(key) == {"1": key}


def test_an_old_key_may_hold_a_colon():
    # Only the first colon ends the id: a key is any random string.
    assert keys.parse_old_chain_keys("2025:abc:def") == {"2025": "abc:def"}


@pytest.mark.parametrize(
    ("refuse", "message"),
    [
        (
            lambda: keys.parse_old_chain_keys("no-colon"),
            "AUDIT_CHAIN_OLD_KEYS holds id:key pairs separated by commas (an id is 1-16"
            " letters, digits, '.', '_' or '-').",
        ),
        (
            lambda: _keys(key_id="no spaces"),
            "AUDIT_CHAIN_KEY_ID is 1-16 letters, digits, '.', '_' or '-'.",
        ),
        (
            lambda: _keys(old={"1": "x" * 40}),
            "AUDIT_CHAIN_OLD_KEYS names the current key id '1': give a rotated key a new id.",
        ),
        (
            lambda: keys.public_key("c2hvcnQ="),
            "an anchor public key must be 32 bytes in base64 (44 characters).",
        ),
    ],
)
def test_each_refused_key_setting_says_what_it_needs(refuse, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        refuse()
    assert str(refused.value) == message
