"""Templates and SMS sizes: pure functions, property-tested."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nagar_nigam_cc.messaging import templating
from nagar_nigam_cc.messaging.models import Event

GSM_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-()", max_size=500)


def test_a_template_may_use_only_its_events_variables_plainly():
    assert templating.problems(Event.REGISTERED, "Complaint {docket} due {due}. {link}") == []
    assert "is not available" in templating.problems(Event.REGISTERED, "Officer {mobile}")[0]
    assert "without a format" in templating.problems(Event.REGISTERED, "{docket:>40}")[0]
    assert "without a format" in templating.problems(Event.REGISTERED, "{docket!r}")[0]
    assert "not a variable" in templating.problems(Event.REGISTERED, "{docket.__class__}")[0]
    assert "not a variable" in templating.problems(Event.REGISTERED, "{0}")[0]
    assert "Braces do not match" in templating.problems(Event.REGISTERED, "Complaint {docket")[0]
    assert templating.problems(Event.REGISTERED, "   ") == ["The text is empty."]
    assert templating.problems("no-such-event", "x") == ["Unknown kind of message."]


def test_values_are_cut_to_dlts_thirty_characters_but_links_never_are():
    link = "https://nnc.prayagraj.example.in/t/2611000427"
    text = templating.render("{address} {link}", {"address": "A" * 50, "link": link})
    address, rendered_link = text.split(" ")
    assert len(address) == templating.VARIABLE_MAX and address.endswith("…")
    assert rendered_link == link


def test_a_value_cannot_smuggle_a_new_line_or_a_second_variable_into_the_sms():
    assert templating.render("{address}!", {"address": "Line 1\nLine 2 {docket}"}) == "Line 1 Line 2 {docket}!"


def test_dlt_registration_text_marks_variables_and_links():
    assert templating.dlt_text("Complaint {docket} due {due}. Track {link}") == \
        "Complaint {#var#} due {#var#}. Track {#url#}"


def test_sms_sizes_at_the_part_boundaries():
    assert templating.sms_size("a" * 160) == templating.SmsSize("GSM-7", 160, 1)
    assert templating.sms_size("a" * 161) == templating.SmsSize("GSM-7", 161, 2)
    assert templating.sms_size("a" * 306).parts == 2 and templating.sms_size("a" * 307).parts == 3
    assert templating.sms_size("€" * 80) == templating.SmsSize("GSM-7", 160, 1), "extended characters count two"
    assert templating.sms_size("क" * 70) == templating.SmsSize("UCS-2", 70, 1)
    assert templating.sms_size("क" * 71).parts == 2 and templating.sms_size("क" * 134).parts == 2
    assert templating.sms_size("a" * 159 + "क").encoding == "UCS-2", "one Hindi letter makes the whole SMS UCS-2"
    assert templating.sms_size("") .parts == 0


@given(GSM_TEXT, GSM_TEXT)
def test_a_longer_text_never_takes_fewer_parts(a, b):
    assert templating.sms_size(a + b).parts >= templating.sms_size(a).parts


@given(st.text(max_size=400))
def test_any_text_fits_in_its_parts(text):
    size = templating.sms_size(text)
    assert size.units <= size.parts * size.per_part
    assert size.parts == 0 or size.units > (size.parts - 1) * size.per_part


@given(st.text(max_size=200))
def test_rendering_any_text_as_a_template_never_raises_once_it_validates(body):
    if not templating.problems(Event.REGISTERED, body):
        templating.render(body, {name: "x" for name in templating.VARIABLES[Event.REGISTERED]})
