"""The public complaint form, the code form and the feedback form: what a citizen may type, checked
with messages written for a citizen (not for an agent)."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.directory.places import city_bounds, inside_city, parse_coordinate
from nagar_nigam_cc.bilingual import reader_wants_hindi
from nagar_nigam_cc.complaints.console import search_wards
from nagar_nigam_cc.complaints.models import Language
from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.complaints.photos import check_photo
from nagar_nigam_cc.directory.models import Category, Ward
from nagar_nigam_cc.public.models import Answer
from nagar_nigam_cc.public.status import clean_input

#: How many wards a locality may name before the citizen is asked to pick from the list instead.
WARDS_LISTED = 5


class ComplaintForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What is the problem?"), queryset=Category.objects.none(),
        error_messages={"required": _("Choose the kind of problem."),
                        "invalid_choice": _("Choose the kind of problem from the list.")},
    )
    description = forms.CharField(
        label=_("Describe the problem"), max_length=settings.NNC_DESCRIPTION_MAX_CHARS, widget=forms.Textarea,
        error_messages={"required": _("Describe the problem in a few words.")},
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False)
    ward = forms.ModelChoiceField(label=_("Ward"), queryset=Ward.objects.none(), required=False)
    locality = forms.CharField(label=_("Or type your locality"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    landmark = forms.CharField(label=_("Landmark"), max_length=255, required=False)
    latitude = forms.CharField(label=_("Latitude"), max_length=20, required=False)
    longitude = forms.CharField(label=_("Longitude"), max_length=20, required=False)
    mobile = forms.CharField(label=_("Your mobile number"), max_length=32, required=False)
    name = forms.CharField(label=_("Your name (optional)"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("SMS language"), choices=Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("department")
        self.fields["ward"].queryset = Ward.objects.all()
        self.photo_type = ""  # set by clean_photo for a photo that passed

    def clean_mobile(self) -> str:
        text = clean_input(self.cleaned_data["mobile"])
        if not text:
            raise ValidationError(_("Enter your mobile number: the complaint number is sent to it by SMS."),
                                  code="required")
        return normalise_mobile(text)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            self.photo_type = check_photo(upload)
        return upload

    def clean(self):
        data = super().clean()
        self._clean_place(data)
        self._clean_coordinates(data)
        return data

    def _clean_place(self, data: dict) -> None:
        """The ward chosen, else the one ward the typed locality names (as the WhatsApp channel reads it)."""
        locality = " ".join((data.get("locality") or "").split())
        if data.get("ward") is not None or "ward" in self.errors:
            data["place"] = locality
            return
        if not locality:
            self.add_error("ward", ValidationError(_("Choose your ward, or type your locality."), code="required"))
            return
        found = search_wards(locality, limit=WARDS_LISTED + 1)
        if len(found) == 1:
            data["ward"] = Ward.objects.get(pk=found[0][0].pk)
            data["place"] = locality
        elif not found:
            self.add_error("locality", ValidationError(
                _("We could not find “%(place)s” in the city's list. Choose your ward from the list."),
                code="unknown", params={"place": locality[:40]}))
        else:
            names = ", ".join(entry.label for entry, _locality in found[:WARDS_LISTED])
            self.add_error("locality", ValidationError(
                _("“%(place)s” fits more than one ward (%(wards)s). Choose your ward from the list."),
                code="ambiguous", params={"place": locality[:40], "wards": names}))

    def _clean_coordinates(self, data: dict) -> None:
        lat_text, long_text = (data.get("latitude") or "").strip(), (data.get("longitude") or "").strip()
        data["latitude"] = data["longitude"] = None
        if not lat_text and not long_text:
            return
        latitude, longitude = parse_coordinate(lat_text, -90, 90), parse_coordinate(long_text, -180, 180)
        if latitude is None or longitude is None:
            self.add_error("latitude", ValidationError(
                _("Give both latitude and longitude as numbers (e.g. 25.4358 and 81.8463), or leave both empty."),
                code="invalid"))
            return
        if not inside_city(float(latitude), float(longitude)):
            south, west, north, east = city_bounds()
            self.add_error("latitude", ValidationError(
                _("That location (%(lat)s, %(long)s) is outside the city. Complaints can be registered only for "
                  "places within latitude %(south)s–%(north)s and longitude %(west)s–%(east)s. Correct it or "
                  "leave both fields empty."),
                code="outside", params={"lat": latitude.normalize(), "long": longitude.normalize(),
                                        "south": south, "north": north, "west": west, "east": east}))
            return
        data["latitude"], data["longitude"] = latitude, longitude

    # --- what the view keeps and shows -----------------------------------------------------------------

    def kept_data(self) -> dict:
        """The cleaned form as JSON, to wait in the PhoneVerification row for the code."""
        d = self.cleaned_data
        return {
            "category": d["category"].pk, "ward": d["ward"].pk, "place": d.get("place", ""),
            "description": d["description"], "address": d["address"], "landmark": d["landmark"],
            "latitude": str(d["latitude"]) if d["latitude"] is not None else "",
            "longitude": str(d["longitude"]) if d["longitude"] is not None else "",
            "name": d["name"], "language": d["language"], "locality": d.get("locality", ""),
        }

    @staticmethod
    def initial_from(data: dict, mobile: str) -> dict:
        """The form's fields filled from a kept row (to change the details before entering the code)."""
        return {
            "category": data.get("category"), "ward": data.get("ward"), "locality": data.get("locality", ""),
            "description": data.get("description", ""), "address": data.get("address", ""),
            "landmark": data.get("landmark", ""), "latitude": data.get("latitude", ""),
            "longitude": data.get("longitude", ""), "mobile": mobile, "name": data.get("name", ""),
            "language": data.get("language", ""),
        }

    def category_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """Active categories grouped by department, each named in the reader's language with the other
        language beside it (a citizen may know the problem's name in either)."""
        hindi = reader_wants_hindi()
        groups: dict[str, list[tuple[int, str]]] = {}
        for c in self.fields["category"].queryset.order_by("department__name_en", "name_en"):
            first, second = (c.name_hi, c.name_en) if hindi else (c.name_en, c.name_hi)
            label = f"{first} ({second})" if second and second != first else first
            groups.setdefault(c.department.name, []).append((c.pk, label))
        return sorted(groups.items())


def coordinates(data: dict) -> tuple[Decimal | None, Decimal | None]:
    if not data.get("latitude"):
        return None, None
    return Decimal(data["latitude"]), Decimal(data["longitude"])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the SMS"), max_length=20,
                           error_messages={"required": _("Enter the 6-digit code from the SMS.")})

    def clean_code(self) -> str:
        code = "".join(clean_input(self.cleaned_data["code"]).split()).replace("-", "")
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(_("The code has 6 digits, like 482913."), code="invalid")
        return code


class FeedbackForm(forms.Form):
    answer = forms.ChoiceField(label=_("Is the problem solved?"), choices=Answer.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Choose “Solved” or “Not solved”.")})
    note = forms.CharField(label=_("What is still wrong? (optional)"), max_length=500, required=False,
                           widget=forms.Textarea)

    def __init__(self, *args, answers: tuple[str, ...] = (Answer.CONFIRM, Answer.DISPUTE), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = [(value, label) for value, label in Answer.choices if value in answers]
