import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation
from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db


def test_seed_demo_is_labelled_and_idempotent(settings, capsys) -> None:
    settings.DEBUG = True
    version = import_small_treaty(slug="budapest-convention").version
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "Demo accounts" in first and "@demo.marginalia.invalid" in first
    # The sample treaty has only some of the keys the demo uses: those are skipped, never invented.
    demo = Annotation.objects.filter(version=version)
    assert demo.exists() and all(a.body.startswith("[Demo]") for a in demo)
    count = demo.count()
    call_command("seed_demo")
    assert "nothing to do" in capsys.readouterr().out
    assert Annotation.objects.filter(version=version).count() == count


def test_seed_demo_refuses_production_without_force(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
