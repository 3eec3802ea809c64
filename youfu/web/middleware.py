from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Chinese unless the user chose English with the language switch (a cookie).

    The browser's Accept-Language is ignored on pages: office PCs often run an English browser while
    the people at them work in Chinese. The API still honours Accept-Language for its clients."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/") or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            super().process_request(request)
            return
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
