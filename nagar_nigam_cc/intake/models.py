"""How complaints come in besides the agent's own typing: the call centre's hours, and (in their own
modules) incoming calls, WhatsApp conversations and the IGRS portal's imports."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


DEFAULT_GREETING_HI = "नगर निगम शिकायत केंद्र में आपका स्वागत है। कृपया लाइन पर बने रहें, आपकी कॉल हमारे सहायक से जोड़ी जा रही है।"
DEFAULT_GREETING_EN = ""
DEFAULT_AFTER_HOURS_HI = (
    "नगर निगम शिकायत केंद्र अभी बंद है। हम {opens} फिर खुलेंगे। आपका नंबर दर्ज कर लिया गया है, हमारे सहायक "
    "आपको वापस कॉल करेंगे। आप व्हाट्सऐप पर भी शिकायत दर्ज करा सकते हैं। धन्यवाद।"
)
DEFAULT_AFTER_HOURS_EN = (
    "The Nagar Nigam complaint centre is closed now. We open again {opens}. We have noted your number and an "
    "agent will call you back. You can also register a complaint on WhatsApp. Thank you."
)
DEFAULT_NO_ANSWER_HI = (
    "क्षमा करें, अभी हमारे सभी सहायक दूसरी कॉल पर हैं। आपका नंबर दर्ज कर लिया गया है, हम जल्द ही आपको वापस "
    "कॉल करेंगे। धन्यवाद।"
)
DEFAULT_NO_ANSWER_EN = "Sorry, all our agents are busy. We have noted your number and will call you back soon."
#: Twilio rings at most ten nouns of one <Dial> at once.
MAX_AGENT_LINES = 10


def agent_lines(text: str, *, strict: bool = True) -> list[str]:
    """The agents' lines from the desk's text, one per line: phone numbers in E.164, `sip:` addresses and
    `client:` names (Twilio's browser and app clients) as written. Blank lines and #-comments are skipped.
    `strict`: raise ValueError naming the first unusable line (and more than MAX_AGENT_LINES); else skip
    it. Pure (phonenumbers only)."""
    import phonenumbers

    lines: list[str] = []
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.lower().startswith(("sip:", "client:")) and len(line) > 5 and " " not in line:
            lines.append(line)
            continue
        try:
            number = phonenumbers.parse(line, settings.NNC_PHONE_REGION)
            ok = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            ok = False
        if ok:
            lines.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        elif strict:
            raise ValueError(_("“%(line)s” is not a phone number, sip: address or client: name.") % {"line": line})
    lines = list(dict.fromkeys(lines))
    if strict and len(lines) > MAX_AGENT_LINES:
        raise ValueError(_("At most %(max)d lines can ring at once.") % {"max": MAX_AGENT_LINES})
    return lines[:MAX_AGENT_LINES]


class CallCentre(models.Model):
    """The desk's one row about the call centre: when agents answer the central number.

    Outside these hours the public channels (WhatsApp, web, IGRS, API) still take complaints, callers
    hear a recorded message and may ask to be called back, and the agents' console shows what came in
    overnight."""

    calendar = models.ForeignKey(
        "sla.WorkingCalendar", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("working hours"),
        help_text=_("A working calendar (with holidays). Empty: every day 07:00–22:00."),
    )
    # --- the central number (see `intake.voice`) ---
    agent_numbers = models.TextField(
        _("agents' lines"), blank=True,
        help_text=_("The phone lines that ring when a citizen calls in working hours, one per line: a number "
                    "(+91…), sip:… or client:… . All ring at once; the first to answer takes the call. At most 10."),
    )
    greeting_hi = models.TextField(_("greeting (Hindi)"), default=DEFAULT_GREETING_HI,
                                   help_text=_("Said to every caller in working hours before the agents' lines ring."))
    greeting_en = models.TextField(_("greeting (English)"), blank=True, default=DEFAULT_GREETING_EN,
                                   help_text=_("Said after the Hindi greeting; leave empty to connect sooner."))
    after_hours_hi = models.TextField(
        _("after-hours message (Hindi)"), default=DEFAULT_AFTER_HOURS_HI,
        help_text=_("Said outside working hours. {opens} is replaced by when the call centre opens again."),
    )
    after_hours_en = models.TextField(_("after-hours message (English)"), blank=True, default=DEFAULT_AFTER_HOURS_EN,
                                      help_text=_("Said after the Hindi message; {opens} as there."))
    no_answer_hi = models.TextField(_("no agent answered (Hindi)"), default=DEFAULT_NO_ANSWER_HI,
                                    help_text=_("Said when no agent picked up in working hours; the caller is "
                                                "put in the call-back queue."))
    no_answer_en = models.TextField(_("no agent answered (English)"), blank=True, default=DEFAULT_NO_ANSWER_EN)

    class Meta:
        verbose_name = _("call centre")
        verbose_name_plural = _("call centre")

    def __str__(self) -> str:
        return str(_("Call centre"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> CallCentre:
        return cls.objects.select_related("calendar").filter(pk=1).first() or cls(pk=1)

    def clean(self):
        from django.core.exceptions import ValidationError

        try:
            self.agent_numbers = "\n".join(agent_lines(self.agent_numbers))
        except ValueError as error:
            raise ValidationError({"agent_numbers": str(error)}) from error

    def agent_lines(self) -> list[str]:
        """The lines to ring, as Twilio's <Dial> takes them (E.164, sip:…, client:…). Unusable lines are
        left out here (the desk refuses them on save)."""
        return agent_lines(self.agent_numbers, strict=False)


# --- IGRS: the state portal's complaints, imported from its export files (see `intake.igrs`) ---------------

class IgrsCategoryMap(models.Model):
    """One of the portal's own category names, and the city's category it stands for.

    IGRS files name the problem in the portal's words ("सफाई/कूड़ा", "मार्ग प्रकाश"); the import looks
    them up here first, then falls back to our categories' names and keywords."""

    igrs_category = models.CharField(
        _("IGRS category"), max_length=200,
        help_text=_("As the portal's file writes it, e.g. “सफाई/कूड़ा”. Spaces, capitals and the nukta are ignored."),
    )
    #: `igrs.match_key(igrs_category)`: what makes two spellings the same entry.
    key = models.CharField(max_length=200, unique=True, editable=False)
    category = models.ForeignKey(
        "directory.Category", models.PROTECT, related_name="+", verbose_name=_("our category")
    )

    class Meta:
        verbose_name = _("IGRS category")
        verbose_name_plural = _("IGRS category map")
        ordering = ["igrs_category"]

    def __str__(self) -> str:
        return f"{self.igrs_category} → {self.category}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from nagar_nigam_cc.intake.igrs import match_key

        key = match_key(self.igrs_category)
        if not key:
            raise ValidationError({"igrs_category": _("Enter the IGRS category.")})
        taken = IgrsCategoryMap.objects.filter(key=key).exclude(pk=self.pk).first()
        if taken is not None:
            raise ValidationError({"igrs_category": _("“%(name)s” is already mapped (to %(category)s).")
                                   % {"name": taken.igrs_category, "category": taken.category}})

    def save(self, *args, **kwargs):
        from nagar_nigam_cc.intake.igrs import match_key

        self.igrs_category = self.igrs_category.strip()
        self.key = match_key(self.igrs_category)
        super().save(*args, **kwargs)


class IgrsImport(models.Model):
    """One IGRS file brought in: who, when, what it held, and what became of each row (`IgrsImportRow`).

    The whole file is read and checked when it is uploaded; its rows are then registered a batch at a
    time (the desk's progress bar, or the command's), so an import can stop half-way and carry on."""

    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("imported by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    #: outcome → number of rows; kept up to date as the rows are imported.
    counts = models.JSONField(_("rows by outcome"), default=dict, blank=True)
    #: What was learnt about the file as a whole: the header row, the columns read, title rows skipped.
    report = models.JSONField(_("file report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("IGRS import")
        verbose_name_plural = _("IGRS imports")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    @property
    def pending(self) -> int:
        return self.counts.get(IgrsRowOutcome.PENDING, 0)


class IgrsRowOutcome(models.TextChoices):
    PENDING = "pending", _("ready to import")
    IMPORTED = "imported", _("imported")
    ALREADY = "already", _("already imported")
    UNMAPPED = "unmapped", _("unmapped category")
    UNKNOWN_WARD = "unknown_ward", _("unknown ward")
    BAD_MOBILE = "bad_mobile", _("bad mobile")
    BROKEN = "broken", _("broken row")


class IgrsImportRow(models.Model):
    """One data row of an IGRS file and what became of it: the complaint it became (or already was),
    or why it was not imported. The row's values are kept as read, so nothing in the file is lost."""

    batch = models.ForeignKey(IgrsImport, models.CASCADE, related_name="rows", verbose_name=_("import"))
    row_number = models.PositiveIntegerField(_("row"), help_text=_("As a spreadsheet numbers it (the header is a row too)."))
    reference = models.CharField(_("IGRS reference"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=IgrsRowOutcome.choices,
                               default=IgrsRowOutcome.PENDING)
    message = models.TextField(_("why"), blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("complaint"),
    )
    received_at = models.DateTimeField(_("received by IGRS"), null=True, blank=True)
    due_at = models.DateTimeField(_("IGRS due date"), null=True, blank=True)
    data = models.JSONField(_("values read"), default=dict, blank=True)

    class Meta:
        verbose_name = _("IGRS import row")
        verbose_name_plural = _("IGRS import rows")
        ordering = ["batch", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="igrs_row_once_per_import")]
        # The next rows to import, and the report filtered by outcome, in file order.
        indexes = [models.Index(fields=["batch", "outcome", "row_number"], name="igrs_row_outcome")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.reference}"


# --- the central number: incoming calls and call-back requests (see `intake.voice`) ------------------------

class IncomingCall(models.Model):
    """One call to the central number, recorded once per Twilio CallSid (Twilio retries its webhooks)."""

    class State(models.TextChoices):
        RINGING = "ringing", _("ringing")
        ANSWERED = "answered", _("answered")
        MISSED = "missed", _("missed")
        AFTER_HOURS = "after_hours", _("after hours")

    call_sid = models.CharField(_("Twilio call id"), max_length=64, unique=True)
    #: As Twilio gave it: may be a landline, or "anonymous" when the caller withholds the number.
    from_number = models.CharField(_("caller's number as received"), max_length=32, blank=True)
    #: E.164 when the number is a usable phone number (it can be called back), else empty.
    from_mobile = models.CharField(_("caller's number"), max_length=16, blank=True)
    at = models.DateTimeField(_("called at"), db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RINGING)
    answered_by = models.CharField(_("answered on (agent's line)"), max_length=64, blank=True)
    dial_status = models.CharField(_("Twilio's dial status"), max_length=20, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming call")
        verbose_name_plural = _("incoming calls")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_mobile or self.from_number or '—'} @ {self.at:%Y-%m-%d %H:%M}"


class CallbackQuerySet(models.QuerySet):
    def pending(self):
        """The agents' call-back queue: oldest request first."""
        return self.filter(state=CallbackRequest.State.PENDING).order_by("asked_at", "id")


class CallbackRequest(models.Model):
    """A caller to ring back: they called after hours, or in hours when no agent picked up.

    One pending request per caller: calling again before an agent has rung back adds to `calls` instead
    of queueing them twice. `open_key` carries the mobile while the request is pending and is emptied
    (NULL) when it is handled; its unique index enforces "one pending per caller" in the database, on
    SQLite and MariaDB alike (NULLs never collide)."""

    class State(models.TextChoices):
        PENDING = "pending", _("to call back")
        CALLED = "called", _("called back")
        DONE = "done", _("closed without calling")

    class Reason(models.TextChoices):
        AFTER_HOURS = "after_hours", _("called after hours")
        MISSED = "missed", _("no agent answered")

    mobile = models.CharField(_("mobile"), max_length=16)
    asked_at = models.DateTimeField(_("asked at"))
    #: The call that asked first.
    call_sid = models.CharField(_("Twilio call id"), max_length=64, unique=True)
    reason = models.CharField(_("why"), max_length=12, choices=Reason.choices, default=Reason.AFTER_HOURS)
    calls = models.PositiveSmallIntegerField(_("calls"), default=1)
    last_call_at = models.DateTimeField(_("last call at"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    open_key = models.CharField(max_length=16, null=True, blank=True, unique=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("handled by"))
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["state", "asked_at"], name="callback_queue")]

    def __str__(self) -> str:
        from django.utils import formats, timezone

        when = formats.date_format(timezone.localtime(self.asked_at), "j M, H:i")
        calls = f" ×{self.calls}" if self.calls > 1 else ""
        return f"{self.mobile} · {when}{calls}"


# --- WhatsApp: one guided conversation per mobile (see `intake.whatsapp`) ------------------------------------

class WhatsAppConversation(models.Model):
    """Where a citizen's WhatsApp conversation stands: the step it waits on and the answers so far.

    One row per mobile, reused: a finished (or abandoned) conversation starts again from the top when the
    citizen next writes something that is not a docket number or a reply to a resolution."""

    class Step(models.TextChoices):
        LANGUAGE = "language", _("choosing the language")
        CATEGORY = "category", _("choosing the problem")
        WARD = "ward", _("naming the ward or locality")
        DESCRIPTION = "description", _("describing the problem")
        PHOTO = "photo", _("photo (optional)")
        LOCATION = "location", _("location (optional)")
        DONE = "done", _("finished")

    mobile = models.CharField(_("mobile"), max_length=16, unique=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.LANGUAGE)
    #: The answers so far and the menu last shown (so "3" means what the citizen saw as 3).
    data = models.JSONField(_("answers so far"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    last_message_at = models.DateTimeField(_("last message at"))
    complaint = models.ForeignKey("complaints.Complaint", models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("complaint"))

    class Meta:
        verbose_name = _("WhatsApp conversation")
        verbose_name_plural = _("WhatsApp conversations")

    def __str__(self) -> str:
        return f"{self.mobile} · {self.get_step_display()}"
