"""Hindi and English names side by side, shown in the reader's language."""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def reader_wants_hindi() -> bool:
    return (get_language() or "hi").startswith("hi")


class BilingualName(models.Model):
    name_hi = models.CharField(_("name (Hindi)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return (self.name_hi or self.name_en) if reader_wants_hindi() else (self.name_en or self.name_hi)

    def __str__(self) -> str:
        return self.name
