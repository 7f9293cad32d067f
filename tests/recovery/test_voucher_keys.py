"""Voucher links are signed with keys that rotate: a printed slip opens until its voucher expires.

The first of `VOUCHER_SIGNING_KEYS` signs, every key verifies; unset, SECRET_KEY
signs and SECRET_KEY_FALLBACKS verify (what signed every link before the list).
Both lists are read from the environment by `config.env.env_list`.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from config.env import env_list
from recovery.domain.vouchers import voucher_signing_keys
from recovery.vouchers import VoucherError, voucher_code_normalize, voucher_link_token, voucher_lookup
from tests.recovery.test_vouchers import voucher  # noqa: F401 (a fixture)

KEY_A = "a" * 20 + "-voucher-key-number-one-0001"
KEY_B = "b" * 20 + "-voucher-key-number-two-0002"


def opens(token: str) -> bool:
    return Client().get(reverse("voucher_public", args=[token])).status_code == 200


def link(token: str) -> str:
    return f"https://desk.example.com/v/{token}/"


def test_unset_the_links_are_signed_as_before_the_list_existed():
    """An upgrade must not disown the slips already printed: same key, salt and separator as before."""
    old = signing.Signer(salt="recovery.vouchers.link", sep=".").sign("7KQ4MXR9TB")
    assert voucher_link_token("7KQ4M-XR9TB") == old
    assert voucher_signing_keys() == [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


@pytest.mark.django_db
def test_a_voucher_printed_before_a_rotation_still_opens_until_its_key_is_dropped(voucher):  # noqa: F811
    code = voucher.voucher_code
    with override_settings(VOUCHER_SIGNING_KEYS=[KEY_A]):
        printed = voucher_link_token(code)
        assert opens(printed)

    with override_settings(VOUCHER_SIGNING_KEYS=[KEY_B, KEY_A]):  # rotated: B signs, A still verifies
        assert opens(printed)
        assert voucher_code_normalize(link(printed)) == code
        fresh = voucher_link_token(code)
        assert fresh != printed and opens(fresh)

    with override_settings(VOUCHER_SIGNING_KEYS=[KEY_B]):  # A dropped (after its vouchers expired)
        assert not opens(printed)
        with pytest.raises(VoucherError) as refused:
            voucher_code_normalize(link(printed))
        assert refused.value.code == VoucherError.NOT_FOUND
        assert refused.value.message == (
            "Voucher code: this link is not one of our vouchers (damaged, forged, or signed with a key no longer "
            "in use): type the code printed on the slip instead."
        )
        # The code printed on the slip is not signed: typed, it still finds the voucher.
        assert voucher_lookup(code=voucher_code_normalize(code)).grant == voucher


@pytest.mark.django_db
def test_a_new_secret_key_with_the_old_one_as_fallback_keeps_the_links(voucher):  # noqa: F811
    old_key = settings.SECRET_KEY
    printed = voucher_link_token(voucher.voucher_code)
    with override_settings(SECRET_KEY=KEY_B, SECRET_KEY_FALLBACKS=[old_key]):
        assert opens(printed)
    with override_settings(SECRET_KEY=KEY_B, SECRET_KEY_FALLBACKS=[]):
        assert not opens(printed)


def test_key_lists_are_read_strictly(monkeypatch):
    monkeypatch.setenv("RD_KEYS", f" {KEY_B} , {KEY_A} ")
    assert env_list("RD_KEYS", default=[], min_length=32) == [KEY_B, KEY_A]
    monkeypatch.setenv("RD_KEYS", f"{KEY_B},,{KEY_A}")
    with pytest.raises(ImproperlyConfigured, match="RD_KEYS: item 2 is empty"):
        env_list("RD_KEYS", default=[], min_length=32)
    monkeypatch.setenv("RD_KEYS", f"{KEY_B},short")
    with pytest.raises(ImproperlyConfigured, match="RD_KEYS: item 2 is too short: at least 32 characters"):
        env_list("RD_KEYS", default=[], min_length=32)
    monkeypatch.delenv("RD_KEYS")
    assert env_list("RD_KEYS", default=[]) == []


def test_the_settings_take_both_key_lists_from_the_environment():
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "SECRET_KEY_FALLBACKS": KEY_A,
        "VOUCHER_SIGNING_KEYS": f"{KEY_B},{KEY_A}",
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS, settings.VOUCHER_SIGNING_KEYS)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"['{KEY_A}'] ['{KEY_B}', '{KEY_A}']"
