"""The local outbox pages (DEBUG only): every email the development site sent, newest first."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.outbox import outbox_active, outbox_message, outbox_messages


def outbox_list(request: HttpRequest) -> HttpResponse:
    # Emails hold sign-in links: never readable on a production site.
    if not outbox_active():
        raise Http404("No outbox here.")
    return render(request, "accounts/outbox/list.html", {"messages_sent": outbox_messages()})


def outbox_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    if not outbox_active():
        raise Http404("No outbox here.")
    message = outbox_message(message_id)
    if message is None:
        raise Http404("No such message in the outbox.")
    return render(request, "accounts/outbox/detail.html", {"message": message})
