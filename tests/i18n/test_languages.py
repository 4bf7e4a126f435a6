"""The interface in the six UN languages (issue 16 §1): the switcher on every page, the cookie,
Accept-Language, the profile's preference applied at login, lang/dir of the chrome against the
text's, and emails in the recipient's language."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.emails import email_confirmation_send
from accounts.models import User
from annotations.emails import reply_email_send
from annotations.services import annotation_create, reply_create
from tests.conftest import PERSONA_PASSWORD
from tests.factories import VerifiedUserFactory, import_small_treaty

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME
# The switcher's own label, as each catalogue says it: proof that the page is translated.
LANGUAGE_LABEL = {
    "en": "Language",
    "ar": "اللغة",
    "zh-hans": "语言",
    "fr": "Langue",
    "ru": "Язык",
    "es": "Idioma",
}
READER_PAGES = [
    "/",
    "/treaties/sample/",
    "/treaties/sample/articles/2/",
    "/treaties/sample/search/?q=sample",
    "/treaties/sample/heatmap/",
    "/treaties/sample/briefing/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/organisations/",
]
ACCOUNT_PAGES = ["/accounts/profile/", "/accounts/profile/annotations/", "/accounts/organisations/new/"]
MODERATOR_PAGES = ["/moderation/", "/moderation/log/", "/moderation/drafts/"]


@pytest.fixture
def sample(db: None) -> None:
    import_small_treaty()


def _html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found is not None
    return found.group(0)


def _in(client: Client, code: str) -> Client:
    client.cookies[COOKIE] = code
    return client


@pytest.mark.parametrize("code", list(LANGUAGE_LABEL))
def test_every_reader_page_renders_in_each_language(code: str, sample: None) -> None:
    client = _in(Client(), code)
    direction = "rtl" if code == "ar" else "ltr"
    for path in READER_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert _html_tag(page) == f'<html lang="{code}" dir="{direction}">', path
        assert f'<label for="language-select">{LANGUAGE_LABEL[code]}</label>' in page, path


@pytest.mark.parametrize("code", ["ar", "zh-hans"])
def test_account_and_moderation_pages_render_in_arabic_and_chinese(
    code: str, sample: None, alice_client: Client, mod_client: Client
) -> None:
    for client, paths in ((alice_client, ACCOUNT_PAGES), (mod_client, MODERATOR_PAGES)):
        _in(client, code)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert LANGUAGE_LABEL[code] in response.content.decode(), path


def test_the_switcher_is_a_plain_form_on_every_page(anon: Client, sample: None) -> None:
    page = anon.get("/treaties/sample/articles/2/").content.decode()
    form = re.search(r'<form class="language-form".*?</form>', page, re.DOTALL)
    assert form is not None
    assert f'action="{reverse("accounts:set-language")}"' in form.group(0)
    # No CSRF token for visitors: it would set a cookie on every page and keep anonymous pages out
    # of the page cache (accounts/views/language.py); signed-in people get one (test below).
    assert 'method="post"' in form.group(0) and 'name="csrfmiddlewaretoken"' not in form.group(0)
    assert '<input type="hidden" name="next" value="/treaties/sample/articles/2/">' in form.group(0)
    # Each language named in itself, marked with its own lang for screen readers.
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in form.group(0) and name in form.group(0)
    assert '<button type="submit">Change language</button>' in form.group(0)


def test_switching_sets_the_cookie_and_returns_to_the_page(anon: Client, sample: None) -> None:
    response = anon.post(reverse("accounts:set-language"), {"language": "ar", "next": "/treaties/sample/"})
    assert response.status_code == 302 and response["Location"] == "/treaties/sample/"
    assert response.cookies[COOKIE].value == "ar"
    page = anon.get("/treaties/sample/").content.decode()
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "المحتويات" in page  # "Contents"


def test_an_unknown_language_is_refused_and_nothing_changes(alice: User, alice_client: Client) -> None:
    _in(alice_client, "fr")
    response = alice_client.post(reverse("accounts:set-language"), {"language": "xx-evil", "next": "/"})
    assert response.status_code == 400
    assert COOKIE not in response.cookies
    # The refusal is written in the language the reader already had.
    assert "« xx-evil » n'est pas une langue de ce site" in response.content.decode()
    alice.refresh_from_db()
    assert alice.language == ""


def test_switching_needs_the_csrf_token_when_signed_in(sample: None) -> None:
    """Signed in, the switch also saves the preference: CSRF applies. A visitor's switch only sets
    their display language, so a visitor needs no token."""
    user = VerifiedUserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert 'name="csrfmiddlewaretoken"' in client.get("/").content.decode()
    response = client.post(reverse("accounts:set-language"), {"language": "ru", "next": "/"})
    assert response.status_code == 403
    assert COOKIE not in response.cookies
    user.refresh_from_db()
    assert user.language != "ru"
    visitor = Client(enforce_csrf_checks=True).post(
        reverse("accounts:set-language"), {"language": "ru", "next": "/"}
    )
    assert visitor.status_code == 302 and visitor.cookies[COOKIE].value == "ru"


def test_the_browser_language_is_the_default_and_english_the_fallback(sample: None) -> None:
    assert _html_tag(Client().get("/").content.decode()) == '<html lang="en" dir="ltr">'
    french = Client(HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.5").get("/").content.decode()
    assert _html_tag(french) == '<html lang="fr" dir="ltr">'
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/").content.decode()
    assert _html_tag(chinese) == '<html lang="zh-hans" dir="ltr">'
    unknown = Client(HTTP_ACCEPT_LANGUAGE="tlh").get("/").content.decode()
    assert _html_tag(unknown) == '<html lang="en" dir="ltr">'
    # The cookie wins over the browser.
    chosen = _in(Client(HTTP_ACCEPT_LANGUAGE="fr"), "es").get("/").content.decode()
    assert _html_tag(chosen) == '<html lang="es" dir="ltr">'


def test_a_signed_in_switch_is_remembered_and_applied_at_the_next_login(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    client.post(reverse("accounts:set-language"), {"language": "ru", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "ru"

    browser = Client(HTTP_ACCEPT_LANGUAGE="en")  # another browser, no cookie
    response = browser.post(
        reverse("accounts:login"), {"username": alice.email, "password": PERSONA_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ru"
    assert _html_tag(browser.get("/").content.decode()) == '<html lang="ru" dir="ltr">'


def test_the_profile_sets_the_language(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        reverse("accounts:profile"),
        {"display_name": alice.display_name, "language": "zh-hans", "attribution_preference": "person"},
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "zh-hans"
    alice.refresh_from_db()
    assert alice.language == "zh-hans"
    assert "您的偏好设置已保存。" in alice_client.get(reverse("accounts:profile")).content.decode()


def test_the_profile_refuses_an_unknown_language(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        reverse("accounts:profile"),
        {"display_name": alice.display_name, "language": "klingon", "attribution_preference": "person"},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    alice.refresh_from_db()
    assert alice.language == ""


def test_arabic_chrome_keeps_an_english_text_left_to_right(anon: Client, sample: None) -> None:
    page = _in(anon, "ar").get("/treaties/sample/articles/2/").content.decode()
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    assert 'aria-labelledby="article-title" lang="en" dir="ltr"' in page
    assert '<nav class="account-nav" aria-label="الحساب">' in page


def test_english_chrome_keeps_an_arabic_text_right_to_left(anon: Client, db: None) -> None:
    import_small_treaty(label="S/1", language="ar")
    page = anon.get("/treaties/sample/articles/2/?version=S/1&lang=ar").content.decode()
    assert _html_tag(page) == '<html lang="en" dir="ltr">'
    assert 'aria-labelledby="article-title" lang="ar" dir="rtl"' in page
    assert '<h1 lang="ar" dir="rtl">' in anon.get("/treaties/sample/?version=S/1&lang=ar").content.decode()


def test_the_javascript_catalogue_is_served_by_the_site_in_the_interface_language(anon: Client) -> None:
    response = _in(anon, "fr").get(reverse("javascript-catalog"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "Modifier votre annotation" in response.content.decode("unicode_escape")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_emails_are_written_in_the_recipient_language(alice: User, mallory: User, sample: None) -> None:
    User.objects.filter(pk=alice.pk).update(language="fr")
    alice.refresh_from_db()
    # Whatever language the sender's request was in.
    with translation.override("ar"):
        email_confirmation_send(user=alice, address=alice.email)
    confirmation = mail.outbox[-1]
    assert confirmation.subject == "Confirmez votre adresse électronique pour Marginalia"
    assert confirmation.body.startswith(f"Bonjour {alice.display_name},")

    from treaty.models import DraftVersion

    annotation = annotation_create(
        author=alice,
        version=DraftVersion.objects.get(treaty__slug="sample"),
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="clarify",
        body="A placeholder comment for a test.",
    )
    from annotations.models import Annotation

    Annotation.objects.filter(pk=annotation.pk).update(status="approved")
    reply = reply_create(annotation=annotation, author=mallory, body="A placeholder reply.")
    mail.outbox.clear()
    with translation.override("zh-hans"):
        reply_email_send(reply=reply)
    (notice,) = mail.outbox
    assert notice.subject.startswith("Nouvelle réponse à votre annotation sur ")
    assert "a répondu à votre annotation sur" in notice.body


def test_signing_up_records_the_interface_language(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = _in(Client(), "es")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "email": "nueva@example.org",
                "display_name": "Nueva",
                "password": "a long enough passphrase 42",
            },
        )
    assert User.objects.get(email="nueva@example.org").language == "es"
    assert mail.outbox[-1].subject == "Confirme su dirección de correo electrónico para Marginalia"


def test_the_password_reset_email_is_in_the_account_language(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(language="ru")
    _in(Client(), "es").post(reverse("accounts:password-reset"), {"email": alice.email})
    (reset,) = mail.outbox
    assert reset.subject == "Сброс пароля Marginalia"
    assert reset.body.startswith(f"Здравствуйте, {alice.display_name}!")
