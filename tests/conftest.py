"""A small city for the tests, and its people.

Two zones (Katra, Naini), four wards, two departments (Sanitation, Jal Kal). The people every test can
ask for by name:
- `agent` — a call-centre agent;
- `officer` — the sanitation field officer (sanitary inspector) of wards 1 and 2;
- `head` — the head of the sanitation department;
- `zonal` — the zonal officer of Katra (all departments);
- `outsider` — a Jal Kal field officer (another department);
- `commissioner`, `auditor`.
"""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.directory.models import Category, Department, Officer, Ward, Zone

PASSWORD = "test-pass-123"


def make_user(username: str, *role_names: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.set(Group.objects.filter(name__in=role_names))
    return user


def make_officer(username: str, role: str, department: Department | None, *, level: int = 1,
                 wards=(), zones=(), designation: str = "Sanitary Inspector", **extra) -> Officer:
    officer = Officer.objects.create(
        user=make_user(username, role), name=username.title(), department=department,
        designation_en=designation, designation_hi=designation, level=level, **extra,
    )
    officer.wards.set(wards)
    officer.zones.set(zones)
    return officer


@pytest.fixture
def city(db):
    """The map and the org chart (no people with logins except officers made below)."""
    katra = Zone.objects.create(code="katra", name_en="Katra", name_hi="कटरा")
    naini = Zone.objects.create(code="naini", name_en="Naini", name_hi="नैनी")
    wards = {
        1: Ward.objects.create(number=1, zone=katra, name_en="Colonelganj", name_hi="कर्नलगंज"),
        2: Ward.objects.create(number=2, zone=katra, name_en="Katra", name_hi="कटरा"),
        3: Ward.objects.create(number=3, zone=katra, name_en="Mumfordganj", name_hi="मम्फोर्डगंज"),
        4: Ward.objects.create(number=4, zone=naini, name_en="Naini", name_hi="नैनी"),
    }
    sanitation = Department.objects.create(code="sanitation", name_en="Sanitation", name_hi="स्वच्छता")
    jalkal = Department.objects.create(code="jalkal", name_en="Jal Kal", name_hi="जलकल")
    garbage = Category.objects.create(
        code="garbage", name_en="Garbage not lifted", name_hi="कूड़ा नहीं उठा", department=sanitation
    )
    sweeping = Category.objects.create(
        code="sweeping", name_en="Sweeping not done", name_hi="झाड़ू नहीं लगी", department=sanitation,
        proof_photo_required=False,
    )
    sewer = Category.objects.create(
        code="sewer", name_en="Sewer choked", name_hi="सीवर चोक", department=jalkal
    )
    return type("City", (), dict(
        katra=katra, naini=naini, wards=wards, sanitation=sanitation, jalkal=jalkal,
        garbage=garbage, sweeping=sweeping, sewer=sewer,
    ))


@pytest.fixture
def head(city) -> Officer:
    officer = make_officer("head", roles.DEPARTMENT_HEAD, city.sanitation, level=3,
                           designation="Chief Sanitation Officer", covers_department=False)
    city.sanitation.head = officer
    city.sanitation.save()
    return officer


@pytest.fixture
def officer(city, head) -> Officer:
    return make_officer("officer", roles.FIELD_OFFICER, city.sanitation, wards=[city.wards[1], city.wards[2]],
                        reports_to=head)


@pytest.fixture
def outsider(city) -> Officer:
    return make_officer("outsider", roles.FIELD_OFFICER, city.jalkal, wards=list(city.wards.values()),
                        designation="Junior Engineer")


@pytest.fixture
def zonal(city) -> Officer:
    return make_officer("zonal", roles.ZONAL_OFFICER, None, level=2, zones=[city.katra], designation="Zonal Officer")


@pytest.fixture
def agent(db) -> User:
    return make_user("agent", roles.AGENT)


@pytest.fixture
def commissioner(db) -> User:
    return make_user("commissioner", roles.COMMISSIONER)


@pytest.fixture
def auditor(db) -> User:
    return make_user("auditor", roles.AUDITOR)


@pytest.fixture
def register(agent):
    """register(category, ward, **fields) → a complaint, registered by the agent through do_register
    (`now=` registers it at that moment)."""
    counter = iter(range(10_000))

    def _register(category, ward, *, mobile: str | None = None, **fields):
        n = next(counter)
        actor, now = fields.pop("actor", agent), fields.pop("now", None)
        new = NewComplaint(
            mobile=mobile or f"+9198390{n:05d}", category=category, ward=ward,
            description=fields.pop("description", f"Problem number {n}"), **fields,
        )
        return do_register(new, actor=actor, now=now)

    return _register


def photo_upload(name: str = "proof.jpg", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per user on this machine; the tests are about the desk, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_a_test_asks():
    """The product speaks Hindi first (LANGUAGE_CODE = "hi"); tests assert English messages unless
    they switch language themselves (translation.override, or the language cookie for pages)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_sla_policy_cache():
    """Each test's database is rolled back without delete signals; forget plans read in earlier tests."""
    from nagar_nigam_cc.sla.policies import forget_plans

    forget_plans()
    yield
    forget_plans()


@pytest.fixture(autouse=True)
def _fresh_api_tokens():
    """Tokens remembered by the API's authentication belong to the test that made them."""
    from nagar_nigam_cc.api.authentication import forget_tokens

    forget_tokens()
    yield
    forget_tokens()
