from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import ComplaintEvent, Status


def test_garbage_complaint_in_ward_1_goes_to_its_sanitary_inspector(city, officer, register):
    complaint = register(city.garbage, city.wards[1])
    assert complaint.assigned_to == officer
    assert complaint.status == Status.ASSIGNED
    assert not complaint.unrouted
    assert dockets.is_valid(complaint.docket)
    assert list(ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", flat=True)) == [
        "registered", "assigned"
    ]
