"""The interface language every page is drawn in (DESIGN §3 "Languages").

The chrome (navigation, forms, messages) follows the interface language, chosen by the switcher's
cookie, else the browser's Accept-Language (django.middleware.locale.LocaleMiddleware); each treaty
text keeps its own version's lang/dir, set on the element that holds it.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def interface_language(request: HttpRequest) -> dict[str, object]:
    """`ui_lang`, `ui_dir` for the chrome's lang/dir; `ui_languages` for the switcher."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "ui_lang": code,
        "ui_dir": "rtl" if translation.get_language_bidi() else "ltr",
        "ui_languages": settings.LANGUAGES,
    }


def is_interface_language(code: str) -> bool:
    return code in dict(settings.LANGUAGES)
