"""Notification emails about annotations. Built in the worker; authors shown as privacy allows."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

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
    send_mail(
        f"Your {context['kind']} on {annotation.provision.label} was {event.to_status}",
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
    send_mail(
        f"New reply to your annotation on {annotation.provision.label}",
        render_to_string("annotations/email/reply.txt", context),
        None,
        [recipient.email],
    )
