"""What the desk's and the phone pages' action forms share: the complaint at hand, and a way to show an
action's refusal on the form."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.complaints.models import Complaint

#: Under every text the citizen and the public tracking page (/t/<docket>) will show.
PUBLIC_TEXT_HELP = _("The citizen and the public tracking page show this: write no names or phone numbers.")


class ActionForm(forms.Form):
    """Base for every action's form; the complaint is at hand for forms whose rules depend on it."""

    def __init__(self, *args, complaint: Complaint, **kwargs):
        self.complaint = complaint
        super().__init__(*args, **kwargs)


def add_action_error(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
