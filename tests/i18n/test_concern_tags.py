"""Concern tag names and descriptions are content staff translate (issue 16 §1): shown in the
interface language, English where no translation was written, edited in the admin."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from annotations.admin import ConcernTagForm
from annotations.models import ConcernTag
from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db


def test_a_tag_shows_in_the_interface_language_and_falls_back_to_english() -> None:
    tag = ConcernTag(name="Privacy", description="English text.", name_translations={"fr": "Vie privée"})
    with translation.override("fr"):
        assert tag.display_name == "Vie privée"
        assert tag.display_description == "English text."  # not translated yet
    with translation.override("ru"):
        assert tag.display_name == "Privacy"


def test_the_article_page_names_the_tags_in_the_reader_language(client: Client) -> None:
    import_small_treaty()
    ConcernTag.objects.filter(slug="privacy").update(name_translations={"es": "Privacidad (prueba)"})
    client.cookies["django_language"] = "es"
    page = client.get("/treaties/sample/articles/2/").content.decode()
    assert '<option value="privacy">Privacidad (prueba)</option>' in page


def test_staff_write_the_translations_in_the_admin_form() -> None:
    tag = ConcernTag.objects.get(slug="gender")
    form = ConcernTagForm(
        instance=tag,
        data={
            "slug": tag.slug,
            "name": tag.name,
            "description": tag.description,
            "color": tag.color,
            "order": tag.order,
            "is_active": "on",
            "name_fr": "Genre (essai)",
            "description_fr": "Une description d'essai.",
            "name_ar": "  ",  # blank: no translation, English shown
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    tag.refresh_from_db()
    assert tag.name_translations == {"fr": "Genre (essai)"}
    assert tag.description_translations == {"fr": "Une description d'essai."}
    assert ConcernTagForm(instance=tag).fields["name_fr"].initial == "Genre (essai)"


def test_the_admin_change_page_offers_a_field_per_language(client: Client) -> None:
    staff = User.objects.create_superuser("staff@example.org", "a staff passphrase 42")
    client.force_login(staff)
    tag = ConcernTag.objects.get(slug="privacy")
    page = client.get(reverse("admin:annotations_concerntag_change", args=[tag.pk])).content.decode()
    for code in ("ar", "zh-hans", "fr", "ru", "es"):
        assert f'name="name_{code}"' in page and f'name="description_{code}"' in page
