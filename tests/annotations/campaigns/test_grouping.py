"""Grouping one comment at a time, and all at once (annotations.campaigns.grouping, .rebuild)."""

from collections.abc import Callable

import pytest
from django.core.management import call_command

from annotations.campaigns.grouping import annotation_regroup
from annotations.campaigns.models import CampaignBand, CampaignGroup, CampaignMember, CampaignPending
from annotations.campaigns.rebuild import groups_rebuild
from annotations.models import Annotation
from annotations.services import annotation_delete, annotation_update
from tests.annotations.campaigns.conftest import OTHER, variants

pytestmark = pytest.mark.django_db

Write = Callable[..., Annotation]


def membership() -> dict[int, tuple[int, float]]:
    return {m.annotation_id: (m.group_id, m.similarity) for m in CampaignMember.objects.all()}


def groups_as_sets() -> set[frozenset[int]]:
    found: dict[int, set[int]] = {}
    for annotation_id, (group_id, _) in membership().items():
        found.setdefault(group_id, set()).add(annotation_id)
    return {frozenset(members) for members in found.values()}


def test_near_identical_comments_form_one_group_with_similarities(comment: Write) -> None:
    letters = [comment(text) for text in variants(4)]
    unrelated = comment(OTHER)
    assert CampaignGroup.objects.count() == 1
    members = membership()
    assert set(members) == {a.pk for a in letters}
    assert unrelated.pk not in members
    # The representative is the first letter; the others are measured against it.
    assert members[letters[0].pk][1] == 1.0
    assert all(0.5 <= similarity <= 1.0 for _, similarity in members.values())
    # Only leads keep band keys: the representative and the comment in no group.
    assert set(CampaignBand.objects.values_list("annotation_id", flat=True)) == {letters[0].pk, unrelated.pk}
    assert not CampaignPending.objects.exists()


def test_short_comments_never_group(comment: Write) -> None:
    for _ in range(3):
        comment("Agreed.")
        comment("Delete this")
    assert not CampaignGroup.objects.exists()
    assert not CampaignBand.objects.exists()


def test_regrouping_twice_changes_nothing(comment: Write) -> None:
    letters = [comment(text) for text in variants(3)]
    before = membership()
    for letter in letters:
        annotation_regroup(letter.pk)
        annotation_regroup(letter.pk)
    assert membership() == before


def test_an_edit_away_from_the_letter_leaves_the_group_and_a_pair_dissolves(comment: Write) -> None:
    first, second = (comment(text) for text in variants(2))
    assert CampaignGroup.objects.count() == 1
    author = second.author
    assert author is not None
    annotation_update(annotation=second, editor=author, body=OTHER)
    annotation_regroup(second.pk)  # the task, as the commit would run it
    assert not CampaignGroup.objects.exists()
    # Both are leads again, findable by the next copy.
    assert set(CampaignBand.objects.values_list("annotation_id", flat=True)) == {first.pk, second.pk}
    third = comment(variants(3)[2])
    assert set(membership()) == {first.pk, third.pk}


def test_deleting_the_representative_hands_the_group_to_the_next(comment: Write) -> None:
    first, second, third = (comment(text) for text in variants(3))
    author = first.author
    assert author is not None
    annotation_delete(annotation=first, actor=author)
    annotation_regroup(first.pk)
    members = membership()
    assert set(members) == {second.pk, third.pk}
    assert members[second.pk][1] == 1.0
    assert set(CampaignBand.objects.values_list("annotation_id", flat=True)) == {second.pk}


def test_a_rebuild_finds_the_same_groups_and_twice_gives_the_same_ids(comment: Write) -> None:
    letters = [comment(text) for text in variants(5)]
    others = [comment(OTHER), comment("A third comment about something else entirely, with its own words.")]
    incremental = groups_as_sets()
    first_ids = membership()
    result = groups_rebuild()
    assert result.groups == 1 and result.members == 5
    assert groups_as_sets() == incremental == {frozenset(a.pk for a in letters)}
    # Same representative, so the group kept its id, and the same similarities.
    assert membership() == first_ids
    call_command("rebuild_groups", "--no-progress")
    again = membership()
    call_command("rebuild_groups", "--no-progress")
    assert membership() == again
    assert {o.pk for o in others}.isdisjoint(again)
    # The incremental grouping goes on from the rebuilt rows.
    extra = comment(variants(6)[5])
    assert membership()[extra.pk][0] == again[letters[0].pk][0]


def test_a_comment_quoting_the_treaty_does_not_group_for_the_quote(comment: Write) -> None:
    # The sample provision art-2.1 reads "First sample paragraph about interception:".
    quote = "First sample paragraph about interception."
    comment(f"{quote} This needs a warrant from an independent judge in every single case.")
    comment(f"{quote} We welcome this and propose no change to the agreed wording at all.")
    comment(f"{quote} Member states should publish yearly statistics on every use of it.")
    assert not CampaignGroup.objects.exists()
