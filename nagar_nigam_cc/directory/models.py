"""The city's map and org chart: zones, wards, departments, officers and complaint categories.

Everything here is configured by administrators in the desk; routing reads it at registration time.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from nagar_nigam_cc.bilingual import BilingualName


class Zone(BilingualName):
    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name_en"]


class Ward(BilingualName):
    number = models.PositiveIntegerField(_("ward number"), unique=True)
    zone = models.ForeignKey(Zone, models.PROTECT, related_name="wards", verbose_name=_("zone"))
    localities = models.TextField(
        _("localities and landmarks"),
        blank=True,
        help_text=_("Other names callers use for places in this ward, one per line, in Hindi or English."),
    )

    class Meta:
        verbose_name = _("ward")
        verbose_name_plural = _("wards")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"


class Department(BilingualName):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    head = models.ForeignKey(
        "Officer",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of department"),
        help_text=_("Receives complaints that no officer's jurisdiction covers (they are flagged unrouted)."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_en"]

    def clean(self):
        if self.head_id and self.pk and self.head.department_id not in (None, self.pk):
            raise ValidationError({"head": _("The head must be an officer of this department.")})


class Officer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="officer", verbose_name=_("login")
    )
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("department"),
        help_text=_("Empty for officers over all departments (zonal officers, the commissioner)."),
    )
    designation_hi = models.CharField(_("designation (Hindi)"), max_length=120)
    designation_en = models.CharField(_("designation (English)"), max_length=120)
    level = models.PositiveSmallIntegerField(
        _("level in the ladder"),
        default=1,
        help_text=_("1 = field staff; higher numbers are more senior. Escalation climbs the levels."),
    )
    wards = models.ManyToManyField(Ward, blank=True, related_name="officers", verbose_name=_("wards"))
    zones = models.ManyToManyField(Zone, blank=True, related_name="officers", verbose_name=_("zones"))
    covers_department = models.BooleanField(
        _("default officer of the department"),
        default=False,
        help_text=_("Receives the department's complaints from wards no ward or zone officer covers."),
    )
    reports_to = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="reportees", verbose_name=_("reports to")
    )
    mobile = models.CharField(_("mobile"), max_length=16, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    on_leave = models.BooleanField(_("on leave"), default=False)
    substitute = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="substituting_for",
        verbose_name=_("substitute while on leave"),
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["name"]

    def __str__(self) -> str:
        from nagar_nigam_cc.bilingual import reader_wants_hindi

        designation = self.designation_hi if reader_wants_hindi() else self.designation_en
        return f"{self.name} ({designation})"

    def clean(self):
        errors = {}
        if self.substitute_id:
            if self.substitute_id == self.pk:
                errors["substitute"] = _("An officer cannot be their own substitute.")
            elif self.substitute.department_id != self.department_id:
                errors["substitute"] = _("The substitute must belong to the same department.")
        if self.reports_to_id and self.reports_to_id == self.pk:
            errors["reports_to"] = _("An officer cannot report to themselves.")
        elif self.reports_to_id and self.pk:
            loop = self._reports_to_loop()
            if loop:
                errors["reports_to"] = _(
                    "This makes a loop in the chain of seniors: %(chain)s. Escalation would go round it for ever."
                ) % {"chain": " → ".join([self.name, *loop])}
        if self.on_leave and not self.substitute_id:
            errors["substitute"] = _("Name a substitute before marking an officer on leave.")
        if errors:
            raise ValidationError(errors)


    def _reports_to_loop(self) -> list[str]:
        """The names up the chain from this officer's senior, if the chain comes back to this officer;
        else []. Stops at a loop elsewhere in the chain (not this officer's to fix here)."""
        names, seen, current = [], set(), self.reports_to_id
        while current and current not in seen:
            if current == self.pk:
                return [*names, self.name]
            seen.add(current)
            row = Officer.objects.filter(pk=current).values_list("name", "reports_to_id").first()
            if row is None:
                break
            names.append(row[0])
            current = row[1]
        return []


class Priority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")
    URGENT = 4, _("urgent")


class Category(BilingualName):
    code = models.SlugField(
        _("service code"), max_length=40, unique=True, help_text=_("Also the Open311 service code.")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="categories", verbose_name=_("department")
    )
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    proof_photo_required = models.BooleanField(
        _("proof photo required to resolve"),
        default=True,
        help_text=_("Officers must upload a photo of the work done before marking it resolved."),
    )
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Words callers use for this problem, in Hindi or English.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["department__name_en", "name_en"]
