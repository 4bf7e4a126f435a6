"""Notification emails about annotations. Built in the worker; authors shown as privacy allows."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import recipient_language
from accounts.privacy import author_visible_to
from annotations.models import Annotation, ModerationEvent, Reply
from treaty import links


def _permalink(annotation: Annotation) -> str:
    # Its unit's page (an article, the preamble, ...) in the version it was written on.
    path = links.annotation_permalink_path(
        treaty_slug=annotation.version.treaty.slug,
        unit=annotation.article,
        version=annotation.version,
        pk=annotation.pk,
    )
    return f"{settings.SITE_URL}{path}"


# One whole sentence per item and decision, so each language can word it its own way.
DECISION_SUBJECTS: dict[tuple[str, str], Promise] = {
    ("annotation", "approved"): gettext_lazy("Your annotation on %(where)s was approved"),
    ("annotation", "rejected"): gettext_lazy("Your annotation on %(where)s was rejected"),
    ("annotation", "spam"): gettext_lazy("Your annotation on %(where)s was marked as spam"),
    ("annotation", "pending"): gettext_lazy("Your annotation on %(where)s is waiting for moderation again"),
    ("reply", "approved"): gettext_lazy("Your reply on %(where)s was approved"),
    ("reply", "rejected"): gettext_lazy("Your reply on %(where)s was rejected"),
    ("reply", "spam"): gettext_lazy("Your reply on %(where)s was marked as spam"),
    ("reply", "pending"): gettext_lazy("Your reply on %(where)s is waiting for moderation again"),
}
DECISION_SENTENCES: dict[tuple[str, str], Promise] = {
    ("annotation", "approved"): gettext_lazy("A moderator has approved your annotation on %(where)s."),
    ("annotation", "rejected"): gettext_lazy("A moderator has rejected your annotation on %(where)s."),
    ("annotation", "spam"): gettext_lazy("A moderator has marked your annotation on %(where)s as spam."),
    ("annotation", "pending"): gettext_lazy(
        "A moderator has put your annotation on %(where)s back in the moderation queue."
    ),
    ("reply", "approved"): gettext_lazy("A moderator has approved your reply on %(where)s."),
    ("reply", "rejected"): gettext_lazy("A moderator has rejected your reply on %(where)s."),
    ("reply", "spam"): gettext_lazy("A moderator has marked your reply on %(where)s as spam."),
    ("reply", "pending"): gettext_lazy(
        "A moderator has put your reply on %(where)s back in the moderation queue."
    ),
}


def decision_email_send(*, event: ModerationEvent) -> None:
    item: Annotation | Reply = event.annotation or event.reply  # type: ignore[assignment]
    author = item.author
    if author is None or not author.is_active or not author.notify_on_decision:
        return
    annotation = item if isinstance(item, Annotation) else item.annotation
    context = {
        "user": author,
        "kind": "annotation" if isinstance(item, Annotation) else "reply",
        "status": event.to_status,
        "reason": event.reason if event.action == ModerationEvent.Action.REJECT else "",
        "where": annotation.provision.label,
        "link": _permalink(annotation),
        "profile": f"{settings.SITE_URL}{reverse('accounts:profile')}",
    }
    decided = (str(context["kind"]), event.to_status)
    with translation.override(recipient_language(author)):
        context["decision"] = str(DECISION_SENTENCES[decided]) % {"where": context["where"]}
        send_mail(
            str(DECISION_SUBJECTS[decided]) % {"where": context["where"]},
            render_to_string("annotations/email/decision.txt", context),
            None,
            [author.email],
        )


def reply_email_send(*, reply: Reply) -> None:
    annotation = reply.annotation
    recipient = annotation.author
    if recipient is None or not recipient.is_active or not recipient.notify_on_reply:
        return
    # The recipient learns only what the replier chose to publish.
    replier = author_visible_to(
        recipient, author=reply.author, organization=reply.organization, attribution=reply.attribution
    )
    context = {
        "user": recipient,
        "replier": replier.label,
        "where": annotation.provision.label,
        "link": _permalink(annotation),
        "profile": f"{settings.SITE_URL}{reverse('accounts:profile')}",
    }
    with translation.override(recipient_language(recipient)):
        send_mail(
            _("New reply to your annotation on %(where)s") % {"where": annotation.provision.label},
            render_to_string("annotations/email/reply.txt", context),
            None,
            [recipient.email],
        )
