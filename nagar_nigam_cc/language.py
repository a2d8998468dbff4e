"""Hindi first: the city's language unless the person chose another with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most office PCs and phones
here send en-US although their users read Hindi first. So the order is: the person's own choice (the
language cookie set by the switch), else the city's default (settings.LANGUAGE_CODE, NNC_LANGUAGE).
Set NNC_FOLLOW_BROWSER_LANGUAGE=true to use the browser's preference instead of the city's default.
"""
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class CityLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if settings.NNC_FOLLOW_BROWSER_LANGUAGE or (chosen and translation.check_for_language(chosen)):
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
