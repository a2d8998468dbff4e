"""Forms of the desk: registering a complaint (the agent's form) and one small form per action."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.action_forms import PUBLIC_TEXT_HELP, ActionForm
from nagar_nigam_cc.complaints.actions import NewComplaint
from nagar_nigam_cc.complaints.models import Channel, Language
from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.directory.models import Category, Officer, Ward


class _Choice(forms.ModelChoiceField):
    """Shows objects by their __str__, which follows the reader's language."""


class RegisterComplaintForm(forms.Form):
    mobile = forms.CharField(
        label=_("Caller's mobile"), max_length=32,
        widget=UnfoldAdminTextInputWidget(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Caller's name"), max_length=120, required=False, widget=UnfoldAdminTextInputWidget)
    language = forms.ChoiceField(
        label=_("Language for SMS"), choices=Language.choices, initial=Language.HINDI, widget=UnfoldAdminSelectWidget
    )
    category = _Choice(label=_("Complaint type"), queryset=Category.objects.none(), widget=UnfoldAdminSelectWidget)
    ward = _Choice(label=_("Ward"), queryset=Ward.objects.none(), widget=UnfoldAdminSelectWidget)
    address = forms.CharField(label=_("Address"), max_length=255, required=False, widget=UnfoldAdminTextInputWidget)
    landmark = forms.CharField(label=_("Landmark"), max_length=255, required=False, widget=UnfoldAdminTextInputWidget)
    description = forms.CharField(
        label=_("What is the problem?"), widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        max_length=settings.NNC_DESCRIPTION_MAX_CHARS,
    )
    channel = forms.ChoiceField(label=_("Received by"), choices=Channel.choices, initial=Channel.PHONE,
                                widget=UnfoldAdminSelectWidget)
    allow_duplicate = forms.BooleanField(
        label=_("It is a different problem: register it anyway"), required=False, widget=UnfoldBooleanSwitchWidget
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("department")
        self.fields["ward"].queryset = Ward.objects.select_related("zone")

    def clean_mobile(self):
        return normalise_mobile(self.cleaned_data["mobile"])

    def new_complaint(self) -> NewComplaint:
        data = self.cleaned_data
        return NewComplaint(
            mobile=data["mobile"], name=data["name"], language=data["language"], category=data["category"],
            ward=data["ward"], address=data["address"], landmark=data["landmark"],
            description=data["description"], channel=data["channel"],
        )


def _reason(label=_("Reason"), required=True, rows=3, help_text=""):
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=UnfoldAdminTextareaWidget(attrs={"rows": rows}))


class NoFieldsForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = _reason()


class RejectForm(ActionForm):
    reason = _reason(help_text=PUBLIC_TEXT_HELP)


class OptionalRemarksForm(ActionForm):
    remarks = _reason(_("Remarks"), required=False)


class AssignForm(ActionForm):
    officer = _Choice(label=_("Officer"), queryset=Officer.objects.none(), widget=UnfoldAdminSelectWidget)
    reason = _reason()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            Officer.objects.filter(department_id=self.complaint.department_id, is_active=True)
            .exclude(pk=self.complaint.assigned_to_id)
            .order_by("level", "name")
        )


class ResolveForm(ActionForm):
    remarks = _reason(_("What was done"), help_text=PUBLIC_TEXT_HELP)
    photo = forms.FileField(label=_("Photo of the work done"), required=False, widget=UnfoldAdminFileFieldWidget)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].required = self.complaint.category.proof_photo_required


class DuplicateForm(ActionForm):
    original = forms.CharField(label=_("Docket number of the original complaint"), widget=UnfoldAdminTextInputWidget)
    reason = _reason(required=False)

    def clean_original(self):
        docket = dockets.normalise(self.cleaned_data["original"])
        if not dockets.is_valid(docket):
            raise forms.ValidationError(_("That is not a valid docket number; check the digits."))
        return docket


class NoteForm(ActionForm):
    note = _reason(_("Note"), rows=4)
