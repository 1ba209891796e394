"""Every message kind in every language, signed with RSA and Ed25519 keys, verifies with
dkimpy against the published key; the signature covers the headers receivers judge."""

from __future__ import annotations

import re
from pathlib import Path

import dkim
import pytest

from feeds.vocabulary import LANGUAGES
from reminders.mail.compose import Composer
from reminders.mail.signing import DkimKeyError, load_signer
from reminders.settings import Settings
from tests.support.dkim_keys import KeyPair, make_key
from tests.support.reminder_mail_fixtures import (
    BASE_URL,
    KINDS,
    MESSAGE_ID,
    NOW,
    SECRET,
    MailSetup,
    items,
    mail_setup,
    recipient,
)

FROM = "GCM calendar <reminders@gcm.example.org>"
SELECTOR = "gcm2026"
KEYS = ["rsa", "rsa-pkcs1", "ed25519"]


@pytest.fixture(scope="module", params=KEYS)
def key(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    name = str(request.param)
    return make_key(
        tmp_path_factory.mktemp(name), name.split("-")[0], traditional_rsa=name == "rsa-pkcs1"
    )


@pytest.fixture(scope="module")
def setup() -> MailSetup:
    return mail_setup()


def _signing_composer(setup: MailSetup, key: KeyPair) -> Composer:
    settings = Settings(
        base_url=BASE_URL,
        mail_from=FROM,
        secret_key=SECRET,  # type: ignore[arg-type]
        dkim_selector=SELECTOR,
        dkim_key_file=key.private_pem,
    )
    signer = load_signer(settings.dkim_selector, settings.dkim_key_file, settings.mail_from)
    return Composer(settings, setup.timeline, setup.feeds.attachment, signer=signer)


def test_every_message_signed_verifies_with_the_published_key(
    setup: MailSetup, key: KeyPair
) -> None:
    composer = _signing_composer(setup, key)
    dns = key.dnsfunc(SELECTOR, "gcm.example.org")
    results = {
        (kind, lang): dkim.verify(
            composer.message_bytes(recipient(lang), items(kind), message_id=MESSAGE_ID, now=NOW),
            dnsfunc=dns,
        )
        for kind in KINDS
        for lang in LANGUAGES
    }
    assert results == dict.fromkeys(results, True)


def test_signature_names_domain_selector_and_headers(setup: MailSetup, key: KeyPair) -> None:
    data = _signing_composer(setup, key).message_bytes(
        recipient("en"), items("reminder"), message_id=MESSAGE_ID, now=NOW
    )
    header = data.split(b"\r\n\r\n", 1)[0].decode().replace("\r\n", "")
    tags = dict(re.findall(r"\b(d|s|h|c)=([^;]+);", header))
    assert {name: " ".join(value.split()) for name, value in tags.items()} == {
        "d": "gcm.example.org",
        "s": SELECTOR,
        "c": "relaxed/relaxed",
        "h": "from : to : subject : date : message-id : mime-version : content-type : "
        "content-transfer-encoding : content-language : auto-submitted : precedence : "
        "list-id : list-unsubscribe : list-unsubscribe-post",
    }


def test_altered_unsubscribe_header_fails_verification(setup: MailSetup, key: KeyPair) -> None:
    data = _signing_composer(setup, key).message_bytes(
        recipient("en"), items("reminder"), message_id=MESSAGE_ID, now=NOW
    )
    altered = data.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://", 1)
    assert (
        altered != data,
        dkim.verify(altered, dnsfunc=key.dnsfunc(SELECTOR, "gcm.example.org")),
    ) == (True, False)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a key", "no PEM private key found"),
        (
            b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
            "unsupported key type 'EC PRIVATE KEY' (use RSA or Ed25519)",
        ),
    ],
)
def test_unusable_key_file_is_named(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(content)
    with pytest.raises(DkimKeyError) as caught:
        load_signer(SELECTOR, path, FROM)
    assert str(caught.value) == f"GCMCAL_DKIM_KEY_FILE {str(path)!r}: {reason}"


def test_missing_key_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.pem"
    with pytest.raises(DkimKeyError) as caught:
        load_signer(SELECTOR, path, FROM)
    assert str(caught.value) == f"GCMCAL_DKIM_KEY_FILE {str(path)!r}: No such file or directory"
