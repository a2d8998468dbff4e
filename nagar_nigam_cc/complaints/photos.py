"""Photos that arrive with complaints or as proof of work: checked to be real images before they are kept."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif", "GIF": "image/gif"}
_MAX_PIXELS = 60_000_000  # a 60-megapixel phone photo; more is a decompression bomb, not a photo


def check_photo(upload: UploadedFile) -> str:
    """Return the photo's content type, or refuse it with a message a field officer understands."""
    limit = settings.NNC_PHOTO_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The photo is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB."),
            code="too_large",
            params={"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576)},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > _MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_large")
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("That file is not a photo (JPEG, PNG or WebP)."), code="not_image")
    finally:
        upload.seek(0)
    if kind not in _FORMATS:
        raise ValidationError(_("That file is not a photo (JPEG, PNG or WebP)."), code="not_image")
    return _FORMATS[kind]
