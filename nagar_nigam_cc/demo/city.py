"""The demo city as plain data: a Prayagraj-shaped map, its departments, complaint categories, org chart,
and the words callers and officers use. No Django here; `loader` turns it into rows.

The places are real Prayagraj localities, but the ward numbers, their zones and every person are made
up: the demo must look like a real city without claiming to describe one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nagar_nigam_cc.directory import roles

# --- The map ------------------------------------------------------------------------------------------

ZONES = (
    ("khuldabad", "Khuldabad", "खुल्दाबाद"),
    ("allapur", "Allapur", "अल्लापुर"),
    ("katra", "Katra", "कटरा"),
    ("naini", "Naini", "नैनी"),
)

# 100 wards, 25 to a zone in the order of ZONES (4 × 25 is the only split of 100 wards within the
# real 25–31 a zone). Each: English name, Hindi name, landmarks callers name (English, Hindi).
WARDS_BY_ZONE: dict[str, tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]] = {
    "khuldabad": (
        ("Khuldabad", "खुल्दाबाद", (("Khuldabad Sabzi Mandi", "खुल्दाबाद सब्ज़ी मंडी"), ("Khuldabad Police Station", "खुल्दाबाद थाना"))),
        ("Chowk", "चौक", (("Ghantaghar", "घंटाघर"), ("Chowk Kotwali", "चौक कोतवाली"), ("Loknath Gali", "लोकनाथ गली"))),
        ("Rani Mandi", "रानी मंडी", (("Rani Mandi Chauraha", "रानी मंडी चौराहा"),)),
        ("Bahadurganj", "बहादुरगंज", (("Bahadurganj Chauraha", "बहादुरगंज चौराहा"), ("Dariyabad Road", "दरियाबाद रोड"))),
        ("Attarsuiya", "अतरसुइया", (("Attarsuiya Chauraha", "अतरसुइया चौराहा"), ("Attarsuiya Hanuman Mandir", "अतरसुइया हनुमान मंदिर"))),
        ("Kotwali", "कोतवाली", (("Kotwali Road", "कोतवाली रोड"),)),
        ("Johnstonganj", "जॉनसटनगंज", (("Johnstonganj Crossing", "जॉनसटनगंज चौराहा"), ("Plaza Cinema", "प्लाज़ा सिनेमा"))),
        ("Loknath", "लोकनाथ", (("Loknath Chauraha", "लोकनाथ चौराहा"),)),
        ("Atala", "अटाला", (("Atala Chauraha", "अटाला चौराहा"), ("Atala Masjid", "अटाला मस्जिद"))),
        ("Roshan Bagh", "रोशन बाग", (("Roshan Bagh Park", "रोशन बाग पार्क"), ("Mansoor Ali Park", "मंसूर अली पार्क"))),
        ("Kareli", "करेली", (("Kareli Police Station", "करेली थाना"), ("Kareli Scheme Block A", "करेली योजना ब्लॉक ए"))),
        ("Kareli East", "करेली पूर्व", (("Kareli Pani Tanki", "करेली पानी टंकी"),)),
        ("GTB Nagar", "जीटीबी नगर", (("GTB Nagar Market", "जीटीबी नगर बाज़ार"),)),
        ("Nurullah Road", "नूरुल्ला रोड", (("Nurullah Road Railway Crossing", "नूरुल्ला रोड रेलवे क्रॉसिंग"),)),
        ("Shahganj", "शाहगंज", (("Shahganj Chowki", "शाहगंज चौकी"),)),
        ("Nakhas Kohna", "नखास कोहना", (("Nakhas Kohna Chauraha", "नखास कोहना चौराहा"),)),
        ("Akbarpur", "अकबरपुर", (("Akbarpur Primary School", "प्राथमिक विद्यालय अकबरपुर"),)),
        ("Sulem Sarai", "सुलेम सराय", (("Sulem Sarai Crossing", "सुलेम सराय चौराहा"), ("GT Road Sulem Sarai", "जीटी रोड सुलेम सराय"))),
        ("Dhoomanganj", "धूमनगंज", (("Dhoomanganj Police Station", "धूमनगंज थाना"), ("Nehru Park", "नेहरू पार्क"))),
        ("Preetam Nagar", "प्रीतम नगर", (("Preetam Nagar Market", "प्रीतम नगर बाज़ार"), ("Preetam Nagar Park", "प्रीतम नगर पार्क"))),
        ("Rajrooppur", "राजरूपपुर", (("Rajrooppur Chauraha", "राजरूपपुर चौराहा"),)),
        ("Kalindipuram", "कालिंदीपुरम", (("Kalindipuram ADA Flats", "कालिंदीपुरम एडीए फ्लैट्स"), ("Kalindipuram Park", "कालिंदीपुरम पार्क"))),
        ("Mundera", "मुंडेरा", (("Mundera Galla Mandi", "मुंडेरा गल्ला मंडी"),)),
        ("Subedarganj", "सूबेदारगंज", (("Subedarganj Railway Station", "सूबेदारगंज रेलवे स्टेशन"), ("NCR Headquarters", "उत्तर मध्य रेलवे मुख्यालय"))),
        ("Jhalwa", "झलवा", (("IIIT Jhalwa", "आईआईआईटी झलवा"), ("Jhalwa Chauraha", "झलवा चौराहा"))),
    ),
    "allapur": (
        ("Allapur", "अल्लापुर", (("Allapur Chauraha", "अल्लापुर चौराहा"), ("Baghambari Housing Scheme", "बाघम्बरी हाउसिंग स्कीम"))),
        ("Daraganj", "दारागंज", (("Dashashwamedh Ghat", "दशाश्वमेध घाट"), ("Daraganj Railway Station", "दारागंज रेलवे स्टेशन"))),
        ("Baghambari", "बाघम्बरी", (("Baghambari Gaddi Math", "बाघम्बरी गद्दी मठ"),)),
        ("Alopibagh", "अलोपीबाग", (("Alopi Devi Mandir", "अलोपी देवी मंदिर"), ("Alopibagh Flyover", "अलोपीबाग फ्लाईओवर"))),
        ("Kydganj", "कीडगंज", (("Kydganj Sabzi Mandi", "कीडगंज सब्ज़ी मंडी"), ("Kydganj Police Station", "कीडगंज थाना"))),
        ("Mutthiganj", "मुट्ठीगंज", (("Mutthiganj Police Station", "मुट्ठीगंज थाना"),)),
        ("Meerapur", "मीरापुर", (("Meerapur Chauraha", "मीरापुर चौराहा"),)),
        ("Kalyani Devi", "कल्याणी देवी", (("Kalyani Devi Mandir", "कल्याणी देवी मंदिर"),)),
        ("Sadiyapur", "सदियापुर", (("Sadiyapur Pump House", "सदियापुर पंप हाउस"),)),
        ("Karelabagh", "करेलाबाग", (("Karelabagh Colony", "करेलाबाग कॉलोनी"),)),
        ("Bairahana", "बैरहना", (("Bairahana Chauraha", "बैरहना चौराहा"),)),
        ("Malviya Nagar", "मालवीय नगर", (("Malviya Nagar Park", "मालवीय नगर पार्क"),)),
        ("Shivkuti", "शिवकुटी", (("Shivkuti Mandir", "शिवकुटी मंदिर"), ("Kotitirth Ghat", "कोटितीर्थ घाट"))),
        ("Govindpur", "गोविंदपुर", (("Govindpur Colony", "गोविंदपुर कॉलोनी"),)),
        ("Salori", "सलोरी", (("Salori Pani Tanki", "सलोरी पानी टंकी"), ("Salori Lodge Area", "सलोरी लॉज क्षेत्र"))),
        ("Teliyarganj", "तेलियरगंज", (("MNNIT Gate", "एमएनएनआईटी गेट"), ("Teliyarganj Chauraha", "तेलियरगंज चौराहा"))),
        ("Rasoolabad", "रसूलाबाद", (("Rasoolabad Ghat", "रसूलाबाद घाट"),)),
        ("Mehdauri", "मेहदौरी", (("Mehdauri Colony", "मेहदौरी कॉलोनी"),)),
        ("Bharadwajpuram", "भारद्वाजपुरम", (("Bharadwaj Ashram", "भारद्वाज आश्रम"),)),
        ("Allapur East", "अल्लापुर पूर्व", (("Allapur Pani Tanki", "अल्लापुर पानी टंकी"),)),
        ("Nagvasuki", "नागवासुकी", (("Nagvasuki Mandir", "नागवासुकी मंदिर"),)),
        ("Chhota Baghara", "छोटा बघाड़ा", (("Chhota Baghara Lodge Lane", "छोटा बघाड़ा लॉज गली"),)),
        ("Bada Baghara", "बड़ा बघाड़ा", (("Bada Baghara Chauraha", "बड़ा बघाड़ा चौराहा"),)),
        ("Tularambagh", "तुलारामबाग", (("Tularambagh Park", "तुलारामबाग पार्क"),)),
        ("Sohbatiyabagh", "सोहबतियाबाग", (("Sohbatiyabagh Chauraha", "सोहबतियाबाग चौराहा"),)),
    ),
    "katra": (
        ("Katra", "कटरा", (("Katra Bazaar", "कटरा बाज़ार"), ("Netram Chauraha", "नेतराम चौराहा"), ("Laxmi Talkies", "लक्ष्मी टॉकीज"))),
        ("Colonelganj", "कर्नलगंज", (("Colonelganj Inter College", "कर्नलगंज इंटर कॉलेज"), ("Bank Road", "बैंक रोड"))),
        ("Civil Lines", "सिविल लाइंस", (("Subhash Chauraha", "सुभाष चौराहा"), ("Patrika Chauraha", "पत्रिका चौराहा"), ("Civil Lines Hanuman Mandir", "सिविल लाइंस हनुमान मंदिर"))),
        ("George Town", "जॉर्ज टाउन", (("Allenganj", "एलनगंज"), ("George Town Park", "जॉर्ज टाउन पार्क"))),
        ("Tagore Town", "टैगोर टाउन", (("Prayag Sangeet Samiti", "प्रयाग संगीत समिति"), ("Tagore Town Chauraha", "टैगोर टाउन चौराहा"))),
        ("Mumfordganj", "मम्फोर्डगंज", (("Mumfordganj Chauraha", "मम्फोर्डगंज चौराहा"),)),
        ("Lukerganj", "लूकरगंज", (("Lukerganj Crossing", "लूकरगंज चौराहा"),)),
        ("Ashok Nagar", "अशोक नगर", (("Ashok Nagar Market", "अशोक नगर बाज़ार"),)),
        ("Beli", "बेली", (("Beli Hospital", "बेली अस्पताल"), ("Beli Road", "बेली रोड"))),
        ("Kamla Nagar", "कमला नगर", (("Kamla Nagar Park", "कमला नगर पार्क"),)),
        ("Rajapur", "राजापुर", (("Rajapur STP", "राजापुर सीवेज शोधन संयंत्र"), ("Rajapur Pani Tanki", "राजापुर पानी टंकी"))),
        ("Stanley Road", "स्टेनली रोड", (("Stanley Road Crossing", "स्टेनली रोड चौराहा"),)),
        ("Lowther Road", "लाउदर रोड", (("Lowther Road Market", "लाउदर रोड बाज़ार"),)),
        ("Chatham Lines", "चैथम लाइंस", (("Chatham Lines Colony", "चैथम लाइंस कॉलोनी"),)),
        ("Bhawapur", "भवापुर", (("Bhawapur Basti", "भवापुर बस्ती"),)),
        ("Darbhanga Colony", "दरभंगा कॉलोनी", (("Darbhanga Castle", "दरभंगा कैसल"),)),
        ("Ram Bagh", "राम बाग", (("Rambagh Railway Station", "रामबाग रेलवे स्टेशन"),)),
        ("Khusrobagh", "खुसरोबाग", (("Khusrobagh Gate", "खुसरोबाग गेट"),)),
        ("Hewett Road", "हीवेट रोड", (("Hewett Road Market", "हीवेट रोड बाज़ार"),)),
        ("Muirabad", "म्योराबाद", (("Muirabad Church", "म्योराबाद चर्च"),)),
        ("Kamla Nehru Road", "कमला नेहरू रोड", (("Kamla Nehru Hospital", "कमला नेहरू अस्पताल"),)),
        ("Rajapur East", "राजापुर पूर्व", (("Rajapur Pul", "राजापुर पुल"),)),
        ("Katra East", "कटरा पूर्व", (("University Road", "यूनिवर्सिटी रोड"),)),
        ("Colonelganj East", "कर्नलगंज पूर्व", (("Colonelganj Police Station", "कर्नलगंज थाना"),)),
        ("Civil Lines South", "सिविल लाइंस दक्षिण", (("Civil Lines Bus Stand", "सिविल लाइंस बस अड्डा"),)),
    ),
    "naini": (
        ("Naini", "नैनी", (("Naini Railway Station", "नैनी रेलवे स्टेशन"), ("Naini Central Jail", "नैनी केंद्रीय कारागार"))),
        ("Chak", "चक", (("Chak Chauraha", "चक चौराहा"),)),
        ("Mahewa", "महेवा", (("Mahewa Bazaar", "महेवा बाज़ार"),)),
        ("Mahewa East", "महेवा पूर्व", (("Mahewa Pani Tanki", "महेवा पानी टंकी"),)),
        ("Mahewa West", "महेवा पश्चिम", (("Mahewa Inter College", "महेवा इंटर कॉलेज"),)),
        ("Arail", "अरैल", (("Arail Ghat", "अरैल घाट"), ("Someshwar Mahadev Mandir", "सोमेश्वर महादेव मंदिर"))),
        ("Dandi", "डांडी", (("Dandi Chauraha", "डांडी चौराहा"),)),
        ("Chak Dandi", "चक डांडी", (("Chak Dandi Primary School", "प्राथमिक विद्यालय चक डांडी"),)),
        ("Lavayan", "लवायन", (("Lavayan Kala", "लवायन कलां"),)),
        ("Naini Bazaar", "नैनी बाज़ार", (("Naini Bazaar Chauraha", "नैनी बाज़ार चौराहा"),)),
        ("ADA Colony Naini", "एडीए कॉलोनी नैनी", (("ADA Colony Park", "एडीए कॉलोनी पार्क"),)),
        ("Naini Industrial Area", "नैनी औद्योगिक क्षेत्र", (("ITI Naini", "आईटीआई नैनी"),)),
        ("Mirzapur Road", "मिर्ज़ापुर रोड", (("Mirzapur Road Petrol Pump", "मिर्ज़ापुर रोड पेट्रोल पंप"),)),
        ("Gaughat", "गऊघाट", (("Gaughat Bridge", "गऊघाट पुल"),)),
        ("Jahangirabad", "जहांगीराबाद", (("Jahangirabad Chauraha", "जहांगीराबाद चौराहा"),)),
        ("Chaka", "चाका", (("Chaka Block Office", "चाका ब्लॉक कार्यालय"),)),
        ("Kakra", "ककरा", (("Kakra Primary School", "प्राथमिक विद्यालय ककरा"),)),
        ("Rewa Road", "रीवा रोड", (("Rewa Road Toll", "रीवा रोड टोल"),)),
        ("Naini East", "नैनी पूर्व", (("Naini Sabzi Mandi", "नैनी सब्ज़ी मंडी"),)),
        ("Naini West", "नैनी पश्चिम", (("New Yamuna Bridge Approach", "नया यमुना पुल"),)),
        ("Chak East", "चक पूर्व", (("Chak Pani Tanki", "चक पानी टंकी"),)),
        ("Arail East", "अरैल पूर्व", (("Arail Parade Ground", "अरैल परेड मैदान"),)),
        ("Dandi East", "डांडी पूर्व", (("Dandi Pump House", "डांडी पंप हाउस"),)),
        ("Lavayan East", "लवायन पूर्व", (("Lavayan Khurd", "लवायन खुर्द"),)),
        ("Naini South", "नैनी दक्षिण", (("Naini Agricultural Institute", "नैनी कृषि संस्थान"),)),
    ),
}


def wards() -> list[tuple[int, str, str, str, tuple[tuple[str, str], ...]]]:
    """(number, zone code, English, Hindi, landmarks): numbered 1–100 zone by zone."""
    numbered = []
    for zone_code, *_names in ZONES:
        for en, hi, landmarks in WARDS_BY_ZONE[zone_code]:
            numbered.append((len(numbered) + 1, zone_code, en, hi, landmarks))
    return numbered


def localities_text(en: str, hi: str, landmarks: tuple[tuple[str, str], ...]) -> str:
    """Ward.localities: every name a caller may use, one a line, Hindi and English."""
    lines = [hi, en]
    for landmark_en, landmark_hi in landmarks:
        lines += [landmark_hi, landmark_en]
    return "\n".join(lines)


# --- Departments and what citizens complain about ----------------------------------------------------------

DEPARTMENTS = (
    ("sanitation", "Sanitation", "सफाई (स्वच्छता)"),
    ("jalkal", "Jal Kal (water & sewer)", "जलकल (पानी व सीवर)"),
    ("lighting", "Street lighting", "मार्ग प्रकाश"),
    ("construction", "Construction", "निर्माण"),
    ("health", "Health & Veterinary", "स्वास्थ्य एवं पशु चिकित्सा"),
)

LOW, NORMAL, HIGH, URGENT = 1, 2, 3, 4  # directory.models.Priority, without importing Django here


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name_en: str
    name_hi: str
    department: str
    priority: int
    proof_photo_required: bool
    keywords: str
    #: How often callers report it, relative to the others (drives the demo's and synth's mix).
    weight: int
    #: What callers say, in English and in Hindi; `{landmark}` and `{days}` are filled in.
    said_en: tuple[str, ...] = field(default=())
    said_hi: tuple[str, ...] = field(default=())


CATEGORIES = (
    CategorySpec(
        "garbage", "Garbage not lifted", "कूड़ा नहीं उठा", "sanitation", HIGH, True,
        "garbage, kooda, kachra, dump, dustbin, कूड़ा, कचरा, डलाव, कूड़ेदान", 18,
        ("Garbage has not been lifted near {landmark} for {days} days; it is spilling onto the road.",
         "Open garbage dump next to {landmark}, stray cattle spreading it everywhere.",
         "Dustbin near {landmark} overflowing since {days} days, very bad smell."),
        ("{landmark} के पास {days} दिन से कूड़ा नहीं उठा है, सड़क पर फैल रहा है।",
         "{landmark} के बगल में कूड़े का ढेर लगा है, जानवर बिखेर रहे हैं।",
         "{landmark} के पास कूड़ेदान {days} दिन से भरा पड़ा है, बहुत बदबू आ रही है।"),
    ),
    CategorySpec(
        "sweeping", "Sweeping not done", "झाड़ू नहीं लगी", "sanitation", NORMAL, True,
        "sweeping, jhadu, safai, sweeper, झाड़ू, सफाई, सफाईकर्मी", 8,
        ("No sweeping in our lane near {landmark} for {days} days.",
         "Sweeper has not come to {landmark} this week."),
        ("{landmark} वाली गली में {days} दिन से झाड़ू नहीं लगी।",
         "इस हफ्ते {landmark} के पास सफाईकर्मी नहीं आया।"),
    ),
    CategorySpec(
        "dead-animal", "Dead animal", "मृत पशु", "sanitation", HIGH, True,
        "dead animal, dead dog, dead cow, mara janwar, मृत पशु, मरा जानवर, मरा कुत्ता", 3,
        ("A dead dog is lying on the road near {landmark} since yesterday.",
         "Dead cow near {landmark}, please get it removed quickly."),
        ("{landmark} के पास कल से मरा हुआ कुत्ता पड़ा है।",
         "{landmark} के पास मरी हुई गाय पड़ी है, जल्दी उठवाइए।"),
    ),
    CategorySpec(
        "drain-blocked", "Drain blocked", "नाली जाम", "sanitation", NORMAL, True,
        "drain, nali, naali, blocked drain, नाली, नाला, जाम", 9,
        ("The drain near {landmark} is blocked and dirty water is standing in the lane.",
         "Nali choked near {landmark} for {days} days, water entering houses."),
        ("{landmark} के पास नाली जाम है, गली में गंदा पानी भरा है।",
         "{days} दिन से {landmark} के पास नाली चोक है, पानी घरों में घुस रहा है।"),
    ),
    CategorySpec(
        "door-to-door", "Door-to-door garbage vehicle not coming", "कूड़ा गाड़ी नहीं आई", "sanitation", NORMAL, False,
        "garbage vehicle, kooda gaadi, door to door, कूड़ा गाड़ी, डोर टू डोर", 6,
        ("The door-to-door garbage vehicle has not come to our street near {landmark} for {days} days.",),
        ("{landmark} के पास हमारी गली में {days} दिन से कूड़ा गाड़ी नहीं आई।",),
    ),
    CategorySpec(
        "public-toilet", "Public toilet dirty", "सार्वजनिक शौचालय गंदा", "sanitation", NORMAL, True,
        "toilet, shauchalay, urinal, शौचालय, पेशाबघर", 2,
        ("The public toilet near {landmark} is very dirty and has no water.",),
        ("{landmark} के पास का सार्वजनिक शौचालय बहुत गंदा है, पानी भी नहीं है।",),
    ),
    CategorySpec(
        "sewer-choked", "Sewer choked / overflowing", "सीवर चोक / ओवरफ्लो", "jalkal", HIGH, True,
        "sewer, manhole overflow, gutter, सीवर, चोक, ओवरफ्लो, गटर", 9,
        ("Sewer overflowing near {landmark} for {days} days, dirty water on the road.",
         "Sewer line choked in our gali near {landmark}."),
        ("{landmark} के पास {days} दिन से सीवर ओवरफ्लो हो रहा है, सड़क पर गंदा पानी है।",
         "{landmark} के पास हमारी गली में सीवर चोक है।"),
    ),
    CategorySpec(
        "no-water", "No water supply", "पानी नहीं आ रहा", "jalkal", HIGH, False,
        "no water, supply, tap, nal, पानी नहीं, नल, सप्लाई", 7,
        ("No water in the taps near {landmark} since {days} days.",
         "Morning supply did not come at all near {landmark}."),
        ("{landmark} के पास {days} दिन से नल में पानी नहीं आ रहा।",
         "{landmark} के पास सुबह की सप्लाई बिल्कुल नहीं आई।"),
    ),
    CategorySpec(
        "low-pressure", "Low water pressure", "पानी का दबाव कम", "jalkal", NORMAL, False,
        "low pressure, pressure, kam paani, दबाव, प्रेशर, कम पानी", 5,
        ("Water comes with very low pressure near {landmark}; it does not reach the first floor.",),
        ("{landmark} के पास पानी बहुत कम दबाव से आ रहा है, पहली मंज़िल तक नहीं चढ़ता।",),
    ),
    CategorySpec(
        "dirty-water", "Dirty water supply", "गंदा पानी आ रहा", "jalkal", HIGH, True,
        "dirty water, contaminated, smell, ganda paani, गंदा पानी, बदबूदार पानी", 4,
        ("Yellow, smelly water coming in the taps near {landmark} for {days} days.",),
        ("{landmark} के पास {days} दिन से नल में पीला बदबूदार पानी आ रहा है।",),
    ),
    CategorySpec(
        "pipeline-leak", "Water pipeline leaking", "पाइपलाइन लीकेज", "jalkal", HIGH, True,
        "leak, pipeline, pipe burst, लीकेज, पाइप फटा, पाइपलाइन", 3,
        ("Water pipeline burst near {landmark}, water wasting on the road.",),
        ("{landmark} के पास पाइपलाइन फट गई है, सड़क पर पानी बह रहा है।",),
    ),
    CategorySpec(
        "manhole-open", "Manhole cover missing", "मैनहोल का ढक्कन गायब", "jalkal", URGENT, True,
        "manhole, open manhole, dhakkan, मैनहोल, ढक्कन", 2,
        ("Manhole near {landmark} is open without a cover; children play nearby.",),
        ("{landmark} के पास मैनहोल खुला पड़ा है, ढक्कन नहीं है, बच्चे पास में खेलते हैं।",),
    ),
    CategorySpec(
        "streetlight", "Streetlight not working", "स्ट्रीट लाइट खराब", "lighting", NORMAL, True,
        "streetlight, light, lamp, pole, स्ट्रीट लाइट, लाइट, बत्ती, खंभा", 12,
        ("Streetlight on the pole near {landmark} not working for {days} days, lane is dark at night.",
         "Three lights off on the road to {landmark}."),
        ("{landmark} के पास खंभे की स्ट्रीट लाइट {days} दिन से खराब है, रात में अंधेरा रहता है।",
         "{landmark} वाली सड़क पर तीन लाइटें बंद हैं।"),
    ),
    CategorySpec(
        "streetlight-day", "Streetlight on during the day", "दिन में स्ट्रीट लाइट जल रही", "lighting", LOW, False,
        "light on in day, wastage, दिन में लाइट, बिजली बर्बाद", 2,
        ("Streetlights near {landmark} stay on the whole day.",),
        ("{landmark} के पास स्ट्रीट लाइटें दिन भर जलती रहती हैं।",),
    ),
    CategorySpec(
        "pothole", "Pothole / road damaged", "सड़क टूटी / गड्ढा", "construction", NORMAL, True,
        "pothole, road, gaddha, broken road, सड़क, गड्ढा, टूटी सड़क", 5,
        ("Big pothole on the road near {landmark}; two-wheelers are falling.",
         "Road near {landmark} broken after sewer work, not repaired for {days} days."),
        ("{landmark} के पास सड़क पर बड़ा गड्ढा है, दोपहिया वाले गिर रहे हैं।",
         "सीवर के काम के बाद {landmark} के पास की सड़क {days} दिन से टूटी पड़ी है।"),
    ),
    CategorySpec(
        "footpath", "Footpath broken", "फुटपाथ टूटा", "construction", LOW, True,
        "footpath, pavement, फुटपाथ, पटरी", 1,
        ("Footpath tiles broken near {landmark}.",),
        ("{landmark} के पास फुटपाथ की टाइल्स टूटी हैं।",),
    ),
    CategorySpec(
        "drain-cover", "Drain slab broken", "नाली की पटिया टूटी", "construction", NORMAL, True,
        "slab, patiya, drain cover, पटिया, स्लैब, नाली ढक्कन", 2,
        ("The slab over the drain near {landmark} is broken; someone may fall in.",),
        ("{landmark} के पास नाली की पटिया टूटी है, कोई गिर सकता है।",),
    ),
    CategorySpec(
        "stray-cattle", "Stray cattle", "आवारा / छुट्टा पशु", "health", NORMAL, True,
        "stray cattle, cow, bull, saand, छुट्टा पशु, आवारा गाय, सांड", 3,
        ("Stray bulls sitting on the road near {landmark}, traffic jam every evening.",),
        ("{landmark} के पास सड़क पर छुट्टा सांड बैठे रहते हैं, रोज़ शाम जाम लगता है।",),
    ),
    CategorySpec(
        "stray-dogs", "Stray dog menace", "आवारा कुत्तों का आतंक", "health", HIGH, True,
        "stray dogs, dog bite, kutta, आवारा कुत्ते, कुत्ते ने काटा", 3,
        ("Pack of stray dogs near {landmark}; a child was bitten yesterday.",),
        ("{landmark} के पास आवारा कुत्तों का झुंड है, कल एक बच्चे को काट लिया।",),
    ),
    CategorySpec(
        "mosquito", "Mosquito fogging / anti-larva not done", "मच्छर / फॉगिंग नहीं हुई", "health", NORMAL, True,
        "mosquito, fogging, dengue, malaria, machchhar, मच्छर, फॉगिंग, डेंगू", 5,
        ("Lots of mosquitoes near {landmark}, no fogging done this season; dengue cases in the lane.",),
        ("{landmark} के पास बहुत मच्छर हैं, इस मौसम में फॉगिंग नहीं हुई, गली में डेंगू के मरीज़ हैं।",),
    ),
)

# --- Time limits -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarSpec:
    """A working calendar: windows by day ("mon-sat": "10:00-17:00") and holidays every year."""

    key: str
    name_en: str
    name_hi: str
    weekly: dict[str, str]
    #: (MM-DD, English, Hindi)
    yearly_holidays: tuple[tuple[str, str, str], ...] = ()


CALENDARS = (
    CalendarSpec("office", "Office hours", "कार्यालय समय", {"mon-sat": "10:00-17:00"}, (
        ("01-26", "Republic Day", "गणतंत्र दिवस"),
        ("08-15", "Independence Day", "स्वतंत्रता दिवस"),
        ("10-02", "Gandhi Jayanti", "गांधी जयंती"),
    )),
    # "24×7" is a calendar too: for policies that count working time on a service that never closes.
    CalendarSpec("always", "Round the clock", "चौबीसों घंटे", {"mon-sun": "00:00-24:00"}),
)


@dataclass(frozen=True)
class PolicySpec:
    """An SLA policy: `hours` of round-the-clock time, or of the working time of `calendar`."""

    category: str | None  # None: the default for categories without a policy of their own
    hours: int
    calendar: str | None = None


#: Time limits per category (see ../shared/context/municipal-india.md: Swachhata, Tirupati and IGRS
#: practice). Sanitation and water are round the clock; road works count office hours.
POLICIES = (
    PolicySpec("garbage", 24), PolicySpec("sweeping", 24), PolicySpec("door-to-door", 24),
    PolicySpec("public-toilet", 24), PolicySpec("dead-animal", 24), PolicySpec("drain-blocked", 48),
    PolicySpec("sewer-choked", 24), PolicySpec("no-water", 24), PolicySpec("dirty-water", 24),
    PolicySpec("pipeline-leak", 24), PolicySpec("manhole-open", 24), PolicySpec("low-pressure", 48),
    PolicySpec("streetlight", 48), PolicySpec("streetlight-day", 48),
    PolicySpec("pothole", 72, "office"), PolicySpec("footpath", 72, "office"), PolicySpec("drain-cover", 72, "office"),
    PolicySpec("stray-cattle", 72), PolicySpec("stray-dogs", 72), PolicySpec("mosquito", 72),
    # Services such as property tax or certificates: 15 working days of 7 office hours.
    PolicySpec(None, 15 * 7, "office"),
)
REMINDER_PERCENTS = "50,90"
#: (level, hours after the previous level, goes to, reassigned): the same ladder for every policy.
LADDER = (
    (1, 0, "reports_to", True),
    (2, 24, "department_head", False),
    (3, 48, "zonal_officer", False),
)
AUTO_CLOSE_DAYS = 7


# --- The org chart -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """One officer: their login, place in the ladder and jurisdiction."""

    username: str
    name: str
    department: str | None
    designation_en: str
    designation_hi: str
    level: int
    role: str
    wards: tuple[int, ...] = ()
    zones: tuple[str, ...] = ()
    reports_to: str | None = None
    heads_department: bool = False
    on_leave: bool = False
    substitute: str | None = None


OFFICER_NAMES = (
    "Ramesh Chandra Tiwari", "Sunita Yadav", "Mohd. Arif Siddiqui", "Anil Kumar Maurya", "Pradeep Kumar Pandey",
    "Neelam Srivastava", "Vinod Kumar Pal", "Shailendra Singh", "Rakesh Kumar Kesarwani", "Ajay Kumar Bind",
    "Farhana Begum", "Sanjay Kumar Gupta", "Deepak Kumar Nishad", "Manoj Kumar Patel", "Anita Kushwaha",
    "Santosh Kumar Dubey", "Imran Ahmad", "Rajendra Prasad Saroj", "Alok Kumar Mishra", "Kavita Verma",
    "Dinesh Chandra Shukla", "Shahid Ali Khan", "Pankaj Kumar Sonkar", "Rekha Prajapati", "Uday Bhan Singh",
    "Arvind Kumar Rai", "Mahendra Nath Tripathi", "Shabana Parveen", "Vivek Kumar Chaurasia", "Ashok Kumar Bharti",
    "Gyanendra Pratap Singh", "Rajeev Ranjan Dwivedi", "Preeti Agrahari", "Naveen Kumar Jaiswal",
    "Sudhir Kumar Upadhyay", "Rashmi Tripathi", "Harish Chandra Kanaujia", "Mukesh Kumar Yadav",
    "Abhishek Kumar Ojha", "Nasreen Fatima", "Satish Chandra Mishra", "Brijesh Kumar Patel", "Kamlesh Kumar Gautam",
    "Pooja Singh", "Devendra Kumar Srivastava", "Jitendra Kumar Kesharwani", "Sarita Devi", "Rohit Kumar Pandey",
    "Nitin Kumar Agarwal", "Shweta Dubey", "Ravindra Nath Shukla", "Akhilesh Kumar Maurya", "Meenakshi Chaturvedi",
    "Faisal Rahman", "Hemant Kumar Bajpai", "Sandeep Kumar Saxena", "Madhulika Rai", "Om Prakash Kushwaha",
    "Chandra Mohan Garg", "Lalji Yadav", "Tabassum Naz", "Prakash Narayan Singh", "Vandana Mishra",
)

#: Each sanitary inspector looks after a run of consecutive wards: 4, 4, 4, 4, 4 and 5 in every zone.
SANITARY_CIRCLES = (4, 4, 4, 4, 4, 5)
#: The Health & Veterinary department has no inspector posted to Naini: a complaint of stray dogs in
#: Naini reaches no one's jurisdiction and goes to the department head, flagged unrouted.
HEALTH_ZONES = ("khuldabad", "allapur", "katra")
#: Jal Kal and Construction: one executive engineer over two zones.
EXECUTIVE_DIVISIONS = (("khuldabad", "allapur"), ("katra", "naini"))


def posts() -> list[Post]:
    """The org chart, built by rule (a sanitary inspector per 4–5 wards, a junior engineer per zone…)
    with the demo's named logins in place. Seniors come before the officers who report to them."""
    names = iter(OFFICER_NAMES)
    zone_codes = [code for code, *_ in ZONES]
    zone_en = {code: en for code, en, _hi in ZONES}
    zone_hi = {code: hi for code, _en, hi in ZONES}
    out: list[Post] = [
        Post("commissioner", next(names), None, "Municipal Commissioner", "नगर आयुक्त", 4, roles.COMMISSIONER),
    ]
    for code in zone_codes:
        out.append(Post(
            "zonal" if code == "katra" else f"zonal-{code}", next(names), None,
            f"Zonal Officer, {zone_en[code]}", f"ज़ोनल अधिकारी, {zone_hi[code]}", 2, roles.ZONAL_OFFICER,
            zones=(code,), reports_to="commissioner",
        ))

    # Sanitation: inspectors over 4–5 wards → a zonal sanitary officer per zone → the head.
    out.append(Post(
        "head", next(names), "sanitation", "Additional Municipal Health Officer (Sanitation)",
        "अपर नगर स्वास्थ्य अधिकारी (सफाई)", 3, roles.DEPARTMENT_HEAD, reports_to="commissioner",
        heads_department=True,
    ))
    ward_numbers = {code: [n for n, zone, *_ in wards() if zone == code] for code in zone_codes}
    circle = 0
    for code in zone_codes:
        supervisor = f"zso-{code}"
        out.append(Post(
            supervisor, next(names), "sanitation", f"Zonal Sanitary Officer, {zone_en[code]}",
            f"ज़ोनल सफाई अधिकारी, {zone_hi[code]}", 2, roles.ZONAL_OFFICER, zones=(code,), reports_to="head",
        ))
        start = 0
        for size in SANITARY_CIRCLES:
            circle += 1
            numbers = tuple(ward_numbers[code][start:start + size])
            start += size
            out.append(Post(
                "officer" if circle == 1 else f"si-{circle:02d}", next(names), "sanitation",
                f"Sanitary Inspector, wards {numbers[0]}–{numbers[-1]}",
                f"सफाई निरीक्षक, वार्ड {numbers[0]}–{numbers[-1]}", 1, roles.FIELD_OFFICER,
                wards=numbers, reports_to=supervisor,
                # The inspector of wards 5–8 is on leave; `officer` (wards 1–4) stands in.
                on_leave=circle == 2, substitute="officer" if circle == 2 else None,
            ))

    # Engineering departments: a junior engineer per zone → executive/assistant engineer → the head.
    engineering = (
        ("jalkal", "Jal Kal", "जलकल", "General Manager, Jal Kal", "महाप्रबंधक, जलकल", EXECUTIVE_DIVISIONS,
         "Executive Engineer", "अधिशासी अभियंता"),
        ("construction", "Civil", "निर्माण", "Chief Engineer", "मुख्य अभियंता", EXECUTIVE_DIVISIONS,
         "Executive Engineer", "अधिशासी अभियंता"),
        ("lighting", "Electrical", "विद्युत", "Executive Engineer (Street Lighting)", "अधिशासी अभियंता (मार्ग प्रकाश)",
         (tuple(zone_codes),), "Assistant Engineer", "सहायक अभियंता"),
    )
    for dept, wing_en, wing_hi, head_en, head_hi, divisions, senior_en, senior_hi in engineering:
        out.append(Post(
            f"head-{dept}", next(names), dept, head_en, head_hi, 3, roles.DEPARTMENT_HEAD,
            reports_to="commissioner", heads_department=True,
        ))
        for index, division in enumerate(divisions, start=1):
            senior = f"ee-{dept}-{index}"
            where_en = " & ".join(zone_en[c] for c in division)
            where_hi = " व ".join(zone_hi[c] for c in division)
            out.append(Post(
                senior, next(names), dept, f"{senior_en} ({wing_en}), {where_en}",
                f"{senior_hi} ({wing_hi}), {where_hi}", 2, roles.ZONAL_OFFICER, zones=division,
                reports_to=f"head-{dept}",
            ))
            for code in division:
                out.append(Post(
                    "outsider" if (dept, code) == ("jalkal", "katra") else f"je-{dept}-{code}", next(names), dept,
                    f"Junior Engineer ({wing_en}), {zone_en[code]}", f"अवर अभियंता ({wing_hi}), {zone_hi[code]}",
                    1, roles.FIELD_OFFICER, zones=(code,), reports_to=senior,
                ))

    # Health & Veterinary: inspectors per zone (none in Naini) → the veterinary officer → the head.
    out.append(Post(
        "head-health", next(names), "health", "Municipal Health Officer", "नगर स्वास्थ्य अधिकारी", 3,
        roles.DEPARTMENT_HEAD, reports_to="commissioner", heads_department=True,
    ))
    out.append(Post(
        "vo-health", next(names), "health", "Veterinary Officer", "पशु चिकित्सा अधिकारी", 2, roles.ZONAL_OFFICER,
        reports_to="head-health",
    ))
    for code in HEALTH_ZONES:
        out.append(Post(
            f"phi-{code}", next(names), "health", f"Public Health Inspector, {zone_en[code]}",
            f"जन स्वास्थ्य निरीक्षक, {zone_hi[code]}", 1, roles.FIELD_OFFICER, zones=(code,), reports_to="vo-health",
        ))
    return out


#: Logins that are not officers.
STAFF = (
    ("agent", "Call-centre agent", "Kiran Srivastava", roles.AGENT),
    ("auditor", "Auditor", "Manish Chandra Goel", roles.AUDITOR),
)
#: What the logins table says each demo login is for, in this order.
SHOWCASE_LOGINS = ("agent", "officer", "head", "zonal", "commissioner", "auditor", "outsider")

# --- What people say --------------------------------------------------------------------------------------

CITIZEN_NAMES = (
    ("Ram Prasad", "राम प्रसाद"), ("Shyam Lal", "श्याम लाल"), ("Geeta Devi", "गीता देवी"),
    ("Mohd. Salim", "मो. सलीम"), ("Kamla Devi", "कमला देवी"), ("Raju Kesarwani", "राजू केसरवानी"),
    ("Suresh Yadav", "सुरेश यादव"), ("Pushpa Srivastava", "पुष्पा श्रीवास्तव"), ("Abdul Rehman", "अब्दुल रहमान"),
    ("Savitri Devi", "सावित्री देवी"), ("Rajkumar Sonkar", "राजकुमार सोनकर"), ("Manju Gupta", "मंजू गुप्ता"),
    ("Vijay Shankar Mishra", "विजय शंकर मिश्र"), ("Shakuntala Pandey", "शकुंतला पाण्डेय"), ("Irfan Khan", "इरफ़ान ख़ान"),
    ("Ramkali", "रामकली"), ("Bablu Nishad", "बबलू निषाद"), ("Sushila Maurya", "सुशीला मौर्य"),
    ("Arun Tiwari", "अरुण तिवारी"), ("Nazma Bano", "नाज़मा बानो"), ("Sunil Kumar", "सुनील कुमार"),
    ("Anjali Verma", "अंजलि वर्मा"), ("Dharmendra Pal", "धर्मेंद्र पाल"), ("Kusum Lata", "कुसुम लता"),
    ("Santosh Bind", "संतोष बिंद"), ("Gudiya", "गुड़िया"), ("Jagdish Prasad", "जगदीश प्रसाद"),
    ("Rubina Khatoon", "रुबीना ख़ातून"), ("Mahesh Chandra", "महेश चंद्र"), ("Rita Singh", "रीता सिंह"),
    ("Ramesh Yadav", "रमेश यादव"), ("Kiran Jaiswal", "किरन जायसवाल"), ("Harsh Vardhan", "हर्षवर्धन"),
    ("Munni Devi", "मुन्नी देवी"), ("Pintu Saroj", "पिंटू सरोज"), ("Shivani Agrahari", "शिवानी अग्रहरि"),
    ("Akram Ali", "अकरम अली"), ("Lakshmi Devi", "लक्ष्मी देवी"), ("Ravi Shankar", "रवि शंकर"),
    ("Urmila Kushwaha", "उर्मिला कुशवाहा"),
)

ADDRESS_EN = ("House no. {house}, Gali no. {lane}, {ward}", "{house}/{lane}, {ward}", "Near {landmark}, {ward}")
ADDRESS_HI = ("मकान नं. {house}, गली नं. {lane}, {ward}", "{house}/{lane}, {ward}", "{landmark} के पास, {ward}")

# (English, Hindi) pairs: an officer or agent types one or the other. Per department where the work differs.
HOLD_REASONS = {
    "sanitation": (
        ("Caller not reachable; exact location not found on site.", "शिकायतकर्ता से संपर्क नहीं हो पाया, मौके पर सही स्थान नहीं मिला।"),
        ("Tractor-trolley under repair; will be lifted when it returns.", "ट्रैक्टर-ट्रॉली मरम्मत में है, लौटने पर कूड़ा उठेगा।"),
    ),
    "jalkal": (
        ("Road cutting permission awaited from PWD.", "पीडब्ल्यूडी से रोड कटिंग की अनुमति की प्रतीक्षा।"),
        ("Pipe and material awaited from the store.", "स्टोर से पाइप व सामग्री की प्रतीक्षा।"),
        ("Jetting machine under repair; will be taken up when it returns.", "जेटिंग मशीन मरम्मत में है, लौटने पर काम होगा।"),
    ),
    "lighting": (
        ("Replacement LED fittings awaited from the contractor.", "ठेकेदार से नई एलईडी फिटिंग की प्रतीक्षा।"),
        ("Hydraulic ladder vehicle booked elsewhere this week.", "हाइड्रोलिक सीढ़ी वाहन इस सप्ताह अन्य कार्य में लगा है।"),
    ),
    "construction": (
        ("Estimate sent for sanction; work needs budget approval.", "आगणन स्वीकृति हेतु भेजा गया, बजट अनुमोदन आवश्यक।"),
        ("Patch work waits for the rains to stop.", "बारिश रुकने पर पैच वर्क होगा।"),
    ),
    "health": (
        ("Animal-catching vehicle booked for another zone today.", "पशु पकड़ने वाला वाहन आज दूसरे ज़ोन में लगा है।"),
        ("Fogging solution awaited from the store.", "स्टोर से फॉगिंग घोल की प्रतीक्षा।"),
    ),
}
RESOLUTION_REMARKS = {
    "sanitation": (
        ("Garbage lifted and lime powder sprinkled; photo attached.", "कूड़ा उठवाकर चूना छिड़का गया, फोटो संलग्न।"),
        ("Team sent, area swept and drain cleaned.", "टीम भेजकर झाड़ू लगवाई गई व नाली साफ़ कराई गई।"),
        ("Carcass removed and disposed of at the site.", "मृत पशु को उठवाकर निस्तारित किया गया।"),
    ),
    "jalkal": (
        ("Line cleared with the jetting machine; flow normal now.", "जेटिंग मशीन से लाइन साफ़ की गई, बहाव सामान्य।"),
        ("Leak repaired and supply restored.", "लीकेज ठीक कर आपूर्ति बहाल की गई।"),
        ("Valve opened; pressure checked at the caller's house.", "वाल्व खोला गया, शिकायतकर्ता के घर पर दबाव जाँचा गया।"),
    ),
    "lighting": (
        ("Faulty LED replaced and checked in the evening.", "खराब एलईडी बदली गई, शाम को जाँच की गई।"),
        ("Timer switch repaired.", "टाइमर स्विच ठीक किया गया।"),
    ),
    "construction": (
        ("Pothole patched by the area gang.", "क्षेत्रीय गैंग द्वारा गड्ढा भरा गया।"),
        ("New slab placed over the drain.", "नाली पर नई पटिया रखवाई गई।"),
    ),
    "health": (
        ("Animals caught and sent to the Kanha Gaushala.", "पशुओं को पकड़कर कान्हा गौशाला भेजा गया।"),
        ("Fogging and anti-larva spray done in the lane.", "गली में फॉगिंग व एंटी-लार्वा छिड़काव कराया गया।"),
    ),
}
CLOSE_REMARKS = (
    ("Citizen confirmed on call-back that the work is done.", "कॉल-बैक पर नागरिक ने कार्य पूर्ण होने की पुष्टि की।"),
    ("Caller satisfied.", "शिकायतकर्ता संतुष्ट।"),
)
REOPEN_REASONS = (
    ("Citizen says the work was only partly done.", "नागरिक के अनुसार कार्य आधा-अधूरा हुआ।"),
    ("Citizen says nobody came; the photo is of another place.", "नागरिक के अनुसार कोई नहीं आया, फोटो किसी और जगह की है।"),
    ("Problem came back within two days.", "दो दिन में ही समस्या फिर से हो गई।"),
)
REJECT_REASONS = (
    ("Private property: not a municipal matter.", "निजी संपत्ति का मामला, नगर निगम से संबंधित नहीं।"),
    ("The road belongs to PWD; forwarded to them.", "सड़क पीडब्ल्यूडी की है, उन्हें अग्रेषित।"),
    ("Electricity supply fault: UPPCL's matter, not street lighting.", "बिजली आपूर्ति की समस्या, यूपीपीसीएल का मामला।"),
    ("Location is in the Cantonment Board area.", "स्थान छावनी परिषद क्षेत्र में है।"),
)
REASSIGN_REASONS = (
    ("No inspector posted in this zone; another zone's inspector will attend.", "इस ज़ोन में निरीक्षक तैनात नहीं, दूसरे ज़ोन के निरीक्षक देखेंगे।"),
)

#: How citizens reach the call centre (phone first: many have no internet and some cannot read).
CHANNEL_WEIGHTS = (("phone", 60), ("whatsapp", 20), ("igrs", 8), ("web", 6), ("walk_in", 6))
#: Calls by hour of day (the centre runs 7 am–10 pm; mornings are busiest).
HOUR_WEIGHTS = {7: 5, 8: 8, 9: 12, 10: 13, 11: 12, 12: 10, 13: 8, 14: 7, 15: 7, 16: 7, 17: 8, 18: 8, 19: 6, 20: 4, 21: 3}
#: Share of callers who speak Hindi.
HINDI_SHARE = 0.75
