import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from annotations.models import Annotation, Flag, ModerationEvent
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db


def test_seed_demo_is_labelled_and_idempotent(settings, capsys, tmp_path) -> None:
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command(
        "import_treaty",
        "treaty/data/budapest_convention_ets185.md",
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
    )
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "Demo accounts" in first and "@demo.marginalia.invalid" in first
    demo = Annotation.objects.filter(version=version)
    assert all(a.body.startswith("[Demo]") for a in demo)
    assert demo.filter(status="approved").count() == 6
    # Something to curate at once: the draft is pre-moderated (and logged), items wait, one is flagged.
    version.refresh_from_db()
    assert (version.moderation, version.verified_skip_queue) == ("pre", False)
    assert ModerationEvent.objects.filter(action="policy", version=version).count() == 1
    assert demo.filter(status="pending").count() == 5
    assert Flag.objects.filter(annotation__in=demo, resolved_at__isnull=True).count() == 1
    assert demo.get(target__exact="without right").target.provision_key == "art-2"
    count = demo.count()
    call_command("seed_demo")
    assert "nothing to do" in capsys.readouterr().out
    assert Annotation.objects.filter(version=version).count() == count


def test_seed_demo_refuses_production_without_force(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_seed_demo_keeps_the_demo_passwords_for_run_dev(settings, tmp_path) -> None:
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command(
        "import_treaty",
        "treaty/data/budapest_convention_ets185.md",
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        stdout=io.StringIO(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    accounts = tmp_path / "demo-accounts.txt"

    def logins() -> dict[str, str]:
        return dict(line.split() for line in accounts.read_text().splitlines())

    first = logins()
    assert len(first) == 4 and oct(accounts.stat().st_mode & 0o777) == "0o600"
    assert all(User.objects.get(email=email).check_password(pw) for email, pw in first.items())
    call_command("seed_demo", stdout=io.StringIO())
    assert logins() == first  # a second run changes nothing

    accounts.unlink()  # an older var/: the passwords exist only as hashes
    call_command("seed_demo", stdout=io.StringIO())
    again = logins()
    assert again.keys() == first.keys() and again != first
    assert all(User.objects.get(email=email).check_password(pw) for email, pw in again.items())
