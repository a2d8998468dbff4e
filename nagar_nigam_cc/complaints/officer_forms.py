"""The field officer's action forms: only the shape of the input (present, not too long, a real photo).

Whether the officer may act, and whether the complaint's status allows it, is decided by the `do_*`
action the view calls; its errors are put back onto these forms by `add_action_error`.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.action_forms import PUBLIC_TEXT_HELP, ActionForm
from nagar_nigam_cc.complaints.photos import check_photo


class StartForm(ActionForm):
    pass


class ResumeForm(ActionForm):
    pass


class HoldForm(ActionForm):
    reason = forms.CharField(
        label=_("Why is the work on hold?"),
        max_length=255,
        widget=forms.TextInput(attrs={"list": "hold-reasons", "autocomplete": "off"}),
    )


class ResolveForm(ActionForm):
    remarks = forms.CharField(
        label=_("What was done?"),
        help_text=PUBLIC_TEXT_HELP,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("Photo of the work done"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The category decides; do_resolve checks it again, this only asks the phone to insist early.
        self.fields["photo"].required = self.complaint.category.proof_photo_required
        self.fields["photo"].error_messages["required"] = _("This kind of complaint needs a photo of the work done.")

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            check_photo(photo)  # refuses non-images with a message the officer understands
        return photo


FORMS: dict[str, type[ActionForm]] = {
    "start": StartForm,
    "hold": HoldForm,
    "resume": ResumeForm,
    "resolve": ResolveForm,
}


