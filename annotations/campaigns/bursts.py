"""A burst of near-identical comments from recently created accounts: a possible campaign.

Coalitions of established organisations file the same text too; what sets a flood apart is many
members in a short time from accounts that did not exist a few days before. Such a group is
flagged once (CampaignGroup.flagged_at) and the moderation queue says so.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from annotations.campaigns.models import CampaignGroup, CampaignMember


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def group_flag_if_burst(group: CampaignGroup) -> bool:
    """Flag the group if enough of its members came from new accounts within the window."""
    if group.flagged_at is not None:
        return False
    now = timezone.now()
    window = timedelta(minutes=_setting("CAMPAIGN_BURST_WINDOW_MINUTES", 60))
    new_account = timedelta(days=_setting("CAMPAIGN_NEW_ACCOUNT_DAYS", 7))
    recent_from_new_accounts = CampaignMember.objects.filter(
        group=group,
        annotation__created_at__gte=now - window,
        annotation__author__date_joined__gte=now - new_account,
    ).count()
    if recent_from_new_accounts < _setting("CAMPAIGN_BURST_SIZE", 10):
        return False
    group.flagged_at = now
    group.save(update_fields=["flagged_at"])
    return True
