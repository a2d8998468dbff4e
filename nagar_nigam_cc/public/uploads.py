"""A photo over the size limit is counted, not kept.

Django's upload handlers stream a file to memory (small ones) or a temporary file. `PhotoSizeLimit`
goes first: it passes a file's bytes on only up to settings.NNC_PHOTO_MAX_BYTES, counts the rest, and
hands the form an `OversizedUpload` that knows the size and holds nothing — so a 50 MB upload costs no
more than the limit in memory or on disk, the form still gets every other field (nothing the citizen
typed is lost), and complaints.photos.check_photo refuses it with the size in its message.

A request far beyond any photo (`body_too_large`) is refused before its body is read at all.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

#: A form with one photo is the photo plus a few kilobytes of text; ten times the photo limit is no form.
BODY_FACTOR = 10


def body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > BODY_FACTOR * settings.NNC_PHOTO_MAX_BYTES


class OversizedUpload(UploadedFile):
    """A file that was too large to keep: its name and size, no content."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def open(self, mode=None):  # pragma: no cover - nothing to open; check_photo stops at the size
        raise ValueError("an oversized upload keeps no content")

    def seek(self, *args):
        return 0

    def read(self, *args):
        return b""


class PhotoSizeLimit(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.NNC_PHOTO_MAX_BYTES
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # the next handlers get no more of this file
        return raw_data

    def file_complete(self, file_size):
        if self.received > self.limit:
            return OversizedUpload(self.file_name, self.content_type, self.received)
        return None  # the next handler's file (memory or temporary file) is the upload
