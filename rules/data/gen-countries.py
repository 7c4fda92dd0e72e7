#!/usr/bin/env python3
"""Generate rules/data/countries.tsv, the country gazetteer used by the C matcher.

Inputs (read-only):
  * Debian iso-codes 4.15: /usr/share/iso-codes/json/iso_3166-1.json
    and its German translation /usr/share/locale/de/LC_MESSAGES/iso_3166-1.mo
  * WHO Health Workforce Support and Safeguards List data with curated
    variants/demonyms: /work/shared/domain/who-ssl.tsv
  * The hand-curated tables below (EXTRA, DEMONYMS, GERMAN, DROP).

Usage:
  python3 gen-countries.py [--iso JSON] [--mo MO] [--ssl TSV] [-o OUT]
  python3 gen-countries.py --check [-o OUT] [--ssl TSV]   (only validate)

The output is checked in as a plain file; re-run this script after editing
the tables and commit both.  Every run validates the result (see check()).
"""

import argparse
import csv
import gettext
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DEF_ISO = "/usr/share/iso-codes/json/iso_3166-1.json"
DEF_MO = "/usr/share/locale/de/LC_MESSAGES/iso_3166-1.mo"
DEF_SSL = "/work/shared/domain/who-ssl.tsv"
DEF_OUT = os.path.join(HERE, "countries.tsv")

# ---------------------------------------------------------------------------
# Hand-curated English variants (everyday forms, historic names, safe
# abbreviations).  ASCII-folded forms of names with diacritics are added
# automatically, so they need not be listed here.
# ---------------------------------------------------------------------------
EXTRA = {
    "AE": ["UAE", "U.A.E."],
    "AG": ["Antigua", "Antigua & Barbuda"],
    "AS": [],
    "AT": ["Republic of Austria"],
    "AU": ["Commonwealth of Australia"],
    "BA": ["Bosnia", "Bosnia-Herzegovina", "Bosnia & Herzegovina"],
    "BL": ["St. Barthélemy", "St Barts", "St. Barts", "Saint Barth"],
    "BN": ["Brunei"],
    "BQ": ["Caribbean Netherlands", "Bonaire", "Sint Eustatius"],
    "BS": ["The Bahamas"],
    "BW": ["Bechuanaland"],
    "BY": ["Byelorussia", "Belorussia"],
    "BZ": ["British Honduras"],
    "CC": ["Cocos Islands", "Keeling Islands"],
    "CD": ["Democratic Republic of Congo", "DR of Congo"],
    "CG": ["Republic of Congo"],
    "CN": ["PRC", "Mainland China"],
    "CV": ["Cape Verde"],
    "CZ": ["Czech Republic"],
    "DO": [],
    "ES": [],
    "ET": ["Abyssinia"],
    "FK": ["Falklands", "Malvinas", "Islas Malvinas"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "England", "Scotland",
           "Wales", "Northern Ireland"],
    "GF": ["Guyane"],
    "GS": ["South Georgia"],
    "GY": ["British Guiana"],
    "HK": ["Hong Kong SAR"],
    "IE": ["Republic of Ireland", "Éire", "Eire"],
    "IR": ["Persia"],
    "KH": ["Kampuchea"],
    "KI": ["Gilbert Islands"],
    "KN": ["St Kitts and Nevis", "St. Kitts and Nevis", "Saint Kitts",
           "St Kitts", "St. Kitts", "St Kitts & Nevis"],
    "KP": ["DPRK"],
    "KR": ["Republic of Korea", "ROK"],
    "LA": ["Lao PDR"],
    "LC": ["St Lucia", "St. Lucia"],
    "LK": ["Ceylon"],
    "LS": ["Basutoland"],
    "MD": ["Moldavia"],
    "MF": ["Saint Martin", "St. Martin", "St Martin"],
    "MK": ["Macedonia", "FYROM"],
    "MM": ["Burma", "Republic of the Union of Myanmar"],
    "MO": ["Macau"],
    "MW": ["Nyasaland"],
    "NA": ["South West Africa"],
    "NL": ["Holland", "the Netherlands"],
    "NZ": ["Aotearoa"],
    "PF": ["Tahiti"],
    "PH": ["the Philippines", "Phillipines", "Philipines"],
    "PM": ["St Pierre and Miquelon", "St. Pierre and Miquelon"],
    "PN": ["Pitcairn Islands"],
    "PS": ["Palestine", "State of Palestine", "Palestinian Territories",
           "Occupied Palestinian Territory"],
    "RU": ["Russia"],
    "SA": ["KSA"],
    "SH": ["Saint Helena", "St Helena", "St. Helena", "Ascension Island",
           "Tristan da Cunha"],
    "SJ": ["Svalbard", "Jan Mayen"],
    "SR": ["Surinam", "Dutch Guiana"],
    "ST": ["São Tomé", "Sao Tome & Principe"],
    "SX": ["Sint Maarten", "St. Maarten", "St Maarten"],
    "SZ": ["Swaziland"],
    "TC": ["Turks and Caicos", "Turks & Caicos"],
    "TF": ["French Southern and Antarctic Lands"],
    "TH": ["Siam"],
    "TR": ["Turkey"],
    "TT": ["Trinidad", "Trinidad & Tobago"],
    "TW": ["Republic of China", "Chinese Taipei"],
    "TZ": ["Tanganyika"],
    "UM": ["US Minor Outlying Islands", "U.S. Minor Outlying Islands"],
    "US": ["USA", "U.S.A.", "U.S."],
    "VA": ["Holy See", "Vatican", "Vatican City", "Vatican City State"],
    "VC": ["Saint Vincent", "St Vincent and the Grenadines",
           "St. Vincent and the Grenadines", "St Vincent", "St. Vincent"],
    "VI": ["US Virgin Islands", "U.S. Virgin Islands",
           "United States Virgin Islands"],
    "VN": [],
    "ZA": [],
    "ZM": ["Northern Rhodesia"],
    "ZW": ["Rhodesia", "Southern Rhodesia"],
}

# ---------------------------------------------------------------------------
# German names beyond the iso-codes "de" translation (which supplies the
# German short name of every country, see german_short()).  Colloquial
# forms, main destination countries, and Safeguards-List countries whose
# everyday German name differs from the iso-codes translation.
# ---------------------------------------------------------------------------
GERMAN = {
    "AE": ["VAE"],
    "BY": ["Weißrussland"],
    "CD": ["DR Kongo", "Kongo-Kinshasa"],
    "CG": ["Republik Kongo", "Kongo-Brazzaville"],
    "CH": ["Schweizerische Eidgenossenschaft"],
    "CI": ["Elfenbeinküste"],
    "CZ": ["Tschechische Republik"],
    "DE": ["Bundesrepublik Deutschland"],
    "FM": ["Mikronesien", "Föderierte Staaten von Mikronesien"],
    "GB": ["Großbritannien", "Schottland", "Nordirland",
           "Vereinigtes Königreich Großbritannien und Nordirland"],
    "MD": ["Moldawien", "Republik Moldau"],
    "MK": ["Mazedonien"],
    "MM": ["Birma"],
    "PS": ["Palästina"],
    "RU": ["Russland"],
    "SB": ["Salomonen"],
    "SZ": ["Swasiland"],
    "TL": ["Osttimor"],
    "US": ["Vereinigte Staaten von Amerika"],
    "VA": ["Vatikan", "Vatikanstadt"],
}

# German translations from iso-codes NOT used (collide with English words).
GERMAN_SKIP = {
    "Island",   # IS (Iceland): "island" is an everyday English word
}

# ---------------------------------------------------------------------------
# Demonyms / nationality adjectives (singular; matcher adds s/es).
# WHO-SSL demonyms are merged in automatically.
# ---------------------------------------------------------------------------
DEMONYMS = {
    "AD": ["Andorran"], "AE": ["Emirati"], "AF": ["Afghan"],
    "AG": ["Antiguan", "Barbudan"], "AI": ["Anguillan"], "AL": ["Albanian"],
    "AM": ["Armenian"], "AO": ["Angolan"], "AQ": [], "AR": ["Argentine", "Argentinian"],
    "AS": ["American Samoan"], "AT": ["Austrian"], "AU": ["Australian"],
    "AW": ["Aruban"], "AX": ["Ålander"], "AZ": ["Azerbaijani", "Azeri"],
    "BA": ["Bosnian", "Herzegovinian"], "BB": ["Barbadian", "Bajan"],
    "BD": ["Bangladeshi"], "BE": ["Belgian"], "BF": ["Burkinabè"],
    "BG": ["Bulgarian"], "BH": ["Bahraini"], "BI": ["Burundian"],
    "BJ": ["Beninese"], "BL": [], "BM": ["Bermudian"], "BN": ["Bruneian"],
    "BO": ["Bolivian"], "BQ": [], "BR": ["Brazilian"], "BS": ["Bahamian"],
    "BT": ["Bhutanese"], "BV": [], "BW": ["Motswana", "Batswana", "Botswanan"],
    "BY": ["Belarusian", "Belarussian"], "BZ": ["Belizean"],
    "CA": ["Canadian"], "CC": ["Cocos Islander"],
    "CD": ["Congolese"], "CF": ["Central African"], "CG": [],
    "CH": ["Swiss"], "CI": ["Ivorian", "Ivoirian"], "CK": ["Cook Islander"],
    "CL": ["Chilean"], "CM": ["Cameroonian"], "CN": ["Chinese"],
    "CO": ["Colombian"], "CR": ["Costa Rican"], "CU": ["Cuban"],
    "CV": ["Cape Verdean", "Cabo Verdean"], "CW": ["Curaçaoan"],
    "CX": ["Christmas Islander"], "CY": ["Cypriot"], "CZ": ["Czech"],
    "DE": ["German"], "DJ": ["Djiboutian"], "DK": ["Danish", "Dane"],
    "DM": [], "DO": ["Dominican"], "DZ": ["Algerian"],
    "EC": ["Ecuadorian", "Ecuadorean"], "EE": ["Estonian"],
    "EG": ["Egyptian"], "EH": ["Sahrawi", "Sahrawian"], "ER": ["Eritrean"],
    "ES": ["Spanish", "Spaniard"], "ET": ["Ethiopian"], "FI": ["Finnish"],
    "FJ": ["Fijian"], "FK": ["Falkland Islander"], "FM": ["Micronesian"],
    "FO": ["Faroese"], "FR": ["French"], "GA": ["Gabonese"],
    "GB": ["British", "Briton", "English", "Scottish", "Welsh",
           "Northern Irish"],
    "GD": ["Grenadian"], "GE": ["Georgian"], "GF": ["French Guianese"],
    "GG": [], "GH": ["Ghanaian"], "GI": ["Gibraltarian"],
    "GL": ["Greenlander", "Greenlandic"], "GM": ["Gambian"], "GN": ["Guinean"],
    "GP": ["Guadeloupean"], "GQ": ["Equatorial Guinean", "Equatoguinean"],
    "GR": ["Greek"], "GS": [], "GT": ["Guatemalan"], "GU": ["Guamanian"],
    "GW": ["Bissau-Guinean"], "GY": ["Guyanese"], "HK": ["Hongkonger",
                                                         "Hong Konger"],
    "HM": [], "HN": ["Honduran"], "HR": ["Croatian", "Croat"],
    "HT": ["Haitian"], "HU": ["Hungarian"], "ID": ["Indonesian"],
    "IE": ["Irish"], "IL": ["Israeli"], "IM": ["Manx"], "IN": ["Indian"],
    "IO": [], "IQ": ["Iraqi"], "IR": ["Iranian"],
    "IS": ["Icelandic", "Icelander"], "IT": ["Italian"], "JE": [],
    "JM": ["Jamaican"], "JO": ["Jordanian"], "JP": ["Japanese"],
    "KE": ["Kenyan"], "KG": ["Kyrgyz", "Kyrgyzstani"], "KH": ["Cambodian"],
    "KI": ["I-Kiribati"], "KM": ["Comorian", "Comoran"],
    "KN": ["Kittitian", "Nevisian"], "KP": ["North Korean"],
    "KR": ["South Korean"], "KW": ["Kuwaiti"], "KY": ["Caymanian"],
    "KZ": ["Kazakh", "Kazakhstani"], "LA": ["Lao", "Laotian"],
    "LB": ["Lebanese"], "LC": ["Saint Lucian", "St Lucian"],
    "LI": ["Liechtensteiner"], "LK": ["Sri Lankan"], "LR": ["Liberian"],
    "LS": ["Mosotho", "Basotho"], "LT": ["Lithuanian"],
    "LU": ["Luxembourger", "Luxembourgish"], "LV": ["Latvian"],
    "LY": ["Libyan"], "MA": ["Moroccan"], "MC": ["Monegasque", "Monacan"],
    "MD": ["Moldovan"], "ME": ["Montenegrin"], "MF": [],
    "MG": ["Malagasy"], "MH": ["Marshallese"], "MK": ["Macedonian"],
    "ML": ["Malian"], "MM": ["Burmese"], "MN": ["Mongolian"],
    "MO": ["Macanese"], "MP": ["Northern Mariana Islander"],
    "MQ": ["Martinican"], "MR": ["Mauritanian"], "MS": ["Montserratian"],
    "MT": ["Maltese"], "MU": ["Mauritian"], "MV": ["Maldivian"],
    "MW": ["Malawian"], "MX": ["Mexican"], "MY": ["Malaysian"],
    "MZ": ["Mozambican"], "NA": ["Namibian"], "NC": ["New Caledonian"],
    "NE": ["Nigerien"], "NF": ["Norfolk Islander"], "NG": ["Nigerian"],
    "NI": ["Nicaraguan"], "NL": ["Dutch", "Netherlander"],
    "NO": ["Norwegian"], "NP": ["Nepali", "Nepalese"], "NR": ["Nauruan"],
    "NU": ["Niuean"], "NZ": ["New Zealander"], "OM": ["Omani"],
    "PA": ["Panamanian"], "PE": ["Peruvian"], "PF": ["French Polynesian",
                                                     "Tahitian"],
    "PG": ["Papua New Guinean"], "PH": ["Filipino", "Filipina", "Philippine"],
    "PK": ["Pakistani"], "PL": [], "PM": [], "PN": ["Pitcairn Islander"],
    "PR": ["Puerto Rican"], "PS": ["Palestinian"], "PT": ["Portuguese"],
    "PW": ["Palauan"], "PY": ["Paraguayan"], "QA": ["Qatari"],
    "RE": ["Réunionese"], "RO": ["Romanian"], "RS": ["Serbian", "Serb"],
    "RU": ["Russian"], "RW": ["Rwandan", "Rwandese"],
    "SA": ["Saudi", "Saudi Arabian"], "SB": ["Solomon Islander"],
    "SC": ["Seychellois"], "SD": ["Sudanese"], "SE": ["Swedish"],
    "SG": ["Singaporean"], "SH": ["Saint Helenian"], "SI": ["Slovenian",
                                                            "Slovene"],
    "SJ": [], "SK": ["Slovak"], "SL": ["Sierra Leonean"],
    "SM": ["Sammarinese"], "SN": ["Senegalese"], "SO": ["Somali", "Somalian"],
    "SR": ["Surinamese", "Surinamer"], "SS": ["South Sudanese"],
    "ST": ["Santomean", "São Toméan"], "SV": ["Salvadoran", "Salvadorean"],
    "SX": ["Sint Maartener"], "SY": ["Syrian"], "SZ": ["Swazi"],
    "TC": ["Turks and Caicos Islander"], "TD": ["Chadian"], "TF": [],
    "TG": ["Togolese"], "TH": ["Thai"], "TJ": ["Tajik", "Tajikistani"],
    "TK": ["Tokelauan"], "TL": ["Timorese", "East Timorese"],
    "TM": ["Turkmen"], "TN": ["Tunisian"], "TO": ["Tongan"],
    "TR": ["Turkish", "Turk"], "TT": ["Trinidadian", "Tobagonian"],
    "TV": ["Tuvaluan"], "TW": ["Taiwanese"], "TZ": ["Tanzanian", "Zanzibari"],
    "UA": ["Ukrainian"], "UG": ["Ugandan"], "UM": [], "US": ["American"],
    "UY": ["Uruguayan"], "UZ": ["Uzbek", "Uzbekistani"], "VA": [],
    "VC": ["Vincentian"], "VE": ["Venezuelan"], "VG": [], "VI": [],
    "VN": ["Vietnamese"], "VU": ["Ni-Vanuatu"], "WF": ["Wallisian",
                                                       "Futunan"],
    "WS": ["Samoan"], "YE": ["Yemeni", "Yemenite"], "YT": ["Mahoran"],
    "ZA": ["South African"], "ZM": ["Zambian"], "ZW": ["Zimbabwean"],
}

# ---------------------------------------------------------------------------
# Strings deliberately dropped from a row (mostly WHO-SSL data).  Each entry
# is written to the output header as a comment, and check() accepts the
# absence of exactly these WHO-SSL strings.
# ---------------------------------------------------------------------------
DROP = {
    ("CF", "CAR"): "English word 'car' in shouted (all-caps) text",
    ("PG", "PNG"): "image file format; ambiguous in shouted text",
    ("FM", "FSM"): "ambiguous abbreviation (finite-state machine, UK "
                   "'free school meals')",
    ("CG", "Congolese"): "ambiguous CG/CD; assigned to CD only",
}

# Header comment lines describing collisions resolved on purpose.
COLLISION_NOTES = [
    "'Congolese' -> CD only (also the demonym of CG: ambiguous; CG has none).",
    "'Congo'/'Kongo' -> CG (iso name); DR Congo forms are longer and win in "
    "longest-match.",
    "'Dominican' -> DO only; DM (Dominica) has no demonym because its "
    "demonym is also 'Dominican'.",
    "'Guinean' -> GN; GQ 'Equatorial Guinean', GW 'Bissau-Guinean', "
    "PG 'Papua New Guinean'.",
    "'Sudanese' -> SD; 'South Sudanese' -> SS.",
    "'Nigerien' -> NE; 'Nigerian' -> NG.",
    "'Samoan' -> WS; 'American Samoan' -> AS.",
    "'Korea'/'Korean' -> neither KP nor KR (ambiguous); use 'South Korea(n)'"
    ", 'North Korea(n)', ROK, DPRK.",
    "'Irish' -> IE; 'Northern Irish' and 'Northern Ireland' -> GB.",
    "'Saint Martin' -> MF; 'Sint Maarten'/'St. Maarten' -> SX.",
    "'Virgin Islands'/'Virgin Islander' -> neither VG nor VI (ambiguous).",
    "'Lao' is listed once, as a demonym of LA (WHO-SSL also lists it as a "
    "variant).",
    "Not included anywhere (common words or ambiguous): US, America, GB, "
    "CAR, PNG, FSM, RSA, ROC, BVI, IT, IN; 'Polish'/'Pole' (PL: 'polish'), "
    "'Swede', 'Finn', 'Scot', 'Brit', 'Kiwi', 'Malay', 'Arab'; German "
    "'Island' (IS: English 'island').",
    "Language-like demonyms (English, German, French, Spanish, Portuguese, "
    "Dutch, ...) are kept but also match language requirements: weak signal.",
]

# ---------------------------------------------------------------------------

UPPER_ABBR = re.compile(r"^[A-Z.]+$")


def ascii_fold(s):
    """Strip diacritics, fold typographic apostrophes, ß->ss."""
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def german_ascii(s):
    """German transliteration of umlauts: ä->ae, ö->oe, ü->ue, ß->ss."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"),
                 ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return s


def clean_ssl(s):
    s = re.sub(r"\s*\((historic|part of [A-Z]{2})\)\s*$", "", s.strip())
    return s.strip()


def split_list(s):
    return [x for x in (p.strip() for p in s.split(";")) if x]


def read_ssl(path):
    rows = {}
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows[r["iso_alpha2"]] = r
    return rows


def build(iso_path, mo_path, ssl_path):
    with open(iso_path, encoding="utf-8") as f:
        iso = json.load(f)["3166-1"]
    with open(mo_path, "rb") as f:
        de = gettext.GNUTranslations(f)
    ssl = read_ssl(ssl_path)

    rows = []
    for e in sorted(iso, key=lambda e: e["alpha_2"]):
        a2 = e["alpha_2"]
        name = e.get("common_name") or e["name"]
        variants = []
        demonyms = []
        german = []

        # English forms from iso-codes.
        for k in ("name", "official_name"):
            if e.get(k):
                variants.append(e[k])
        # WHO-SSL curated data.
        if a2 in ssl:
            r = ssl[a2]
            variants += [clean_ssl(x) for x in split_list(r["common_variants"])]
            variants.append(r["english_short_name"])
            demonyms += [clean_ssl(x) for x in split_list(r["demonyms"])]
        variants += EXTRA.get(a2, [])
        # German forms: iso-codes "de" translation (short and common name;
        # inverted "X, Republik" forms are skipped) + hand list.
        for k in ("common_name", "name"):
            if e.get(k):
                g = de.gettext(e[k])
                if ", " not in g and g not in GERMAN_SKIP:
                    german.append(g)
        german += GERMAN.get(a2, [])
        german += [german_ascii(g) for g in german]
        variants += german
        demonyms += DEMONYMS[a2]

        # ASCII-folded forms of everything with diacritics.
        variants += [ascii_fold(v) for v in variants]
        demonyms += [ascii_fold(d) for d in demonyms]

        # Apply deliberate drops, de-duplicate within the row
        # (case-insensitively; name first, then demonyms win over
        # variants for identical strings, e.g. "Lao").
        seen = {name.casefold()}
        dem_out = []
        for d in demonyms:
            if (a2, d) in DROP or d.casefold() in seen:
                continue
            seen.add(d.casefold())
            dem_out.append(d)
        var_out = []
        for v in variants:
            if (a2, v) in DROP or v.casefold() in seen:
                continue
            seen.add(v.casefold())
            var_out.append(v)

        rows.append((a2, e["alpha_3"], e["numeric"], name,
                     ";".join(var_out), ";".join(dem_out)))
    return rows


HEADER = """\
# countries.tsv - ISO 3166-1 country gazetteer for recognising country
# mentions in job postings (English and German text).
# GENERATED by gen-countries.py (same directory); edit the tables there and
# re-run.  Sources: Debian iso-codes 4.15 (iso_3166-1.json and its German
# translation) + WHO Health Workforce Support and Safeguards List data
# (who-ssl.tsv: variants, demonyms) + hand-curated variants/demonyms.
#
# Format: UTF-8, LF, one row per ISO 3166-1 entry (249), sorted by alpha2.
# Lines starting with '#' are comments.  Columns, separated by one TAB:
#   alpha2  alpha3  numeric  name  variants  demonyms
# name      English short name (iso-codes common_name if present, else name).
# variants  ';'-separated other names seen in prose: iso name and official
#           name, everyday and historic forms, German names, ASCII-folded
#           forms (no diacritics; German also ae/oe/ue/ss), and uppercase
#           abbreviations safe in prose (UK, USA, UAE, KSA, DRC, PRC, ...).
# demonyms  ';'-separated nationality adjectives/nouns, singular only (the
#           matcher adds plural s/es).  Demonyms are weak signals
#           (nationality is not residence).
# Empty variants/demonyms are empty fields (a row always has 5 TABs).
# Matching: a string made only of ASCII uppercase letters and dots is
# case-sensitive; everything else is case-insensitive; whole-word, longest
# match first (so 'Niger' does not fire inside 'Nigeria', 'Sudan' inside
# 'South Sudan', 'Guinea' inside 'Guinea-Bissau', 'Congo' inside 'DR Congo').
# Each string (case-insensitively) occurs in exactly one row.
#
# Collisions resolved deliberately:
"""


def write(rows, out):
    lines = [HEADER]
    for n in COLLISION_NOTES:
        lines.append("#   - " + n + "\n")
    lines.append("# Dropped from WHO-SSL data on purpose:\n")
    for (a2, s), why in sorted(DROP.items()):
        lines.append("#   - %s %s: %s\n" % (a2, s, why))
    lines.append("#\n")
    lines.append("# alpha2\talpha3\tnumeric\tname\tvariants\tdemonyms\n")
    for r in rows:
        lines.append("\t".join(r) + "\n")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)


def check(out, iso_path, ssl_path):
    errs = []
    with open(out, "rb") as f:
        raw = f.read()
    if b"\r" in raw:
        errs.append("CR found (must be LF only)")
    text = raw.decode("utf-8")
    data = [l for l in text.split("\n") if l and not l.startswith("#")]
    rows = [l.split("\t") for l in data]
    for r in rows:
        if len(r) != 6:
            errs.append("bad column count %d: %r" % (len(r), r[:2]))
    rows = [r for r in rows if len(r) == 6]
    a2s = [r[0] for r in rows]
    a3s = [r[1] for r in rows]
    if a2s != sorted(a2s):
        errs.append("rows not sorted by alpha2")
    if len(set(a2s)) != len(a2s):
        errs.append("duplicate alpha2")
    if len(set(a3s)) != len(a3s):
        errs.append("duplicate alpha3")
    with open(iso_path, encoding="utf-8") as f:
        iso = {e["alpha_2"]: e for e in json.load(f)["3166-1"]}
    if set(a2s) != set(iso):
        errs.append("alpha2 set differs from iso-codes")
    for r in rows:
        e = iso.get(r[0])
        if e and (e["alpha_3"], e["numeric"]) != (r[1], r[2]):
            errs.append("alpha3/numeric mismatch for " + r[0])

    owner = {}      # casefolded string -> alpha2
    n_strings = 0
    for r in rows:
        strings = [r[3]] + split_list(r[4]) + split_list(r[5])
        for s in strings:
            n_strings += 1
            if s != s.strip() or "\t" in s:
                errs.append("whitespace problem in %r (%s)" % (s, r[0]))
            k = s.casefold()
            if k in owner:
                errs.append("duplicate %r in %s and %s" % (s, owner[k], r[0]))
            owner[k] = r[0]
        if "US" in split_list(r[4]) + split_list(r[5]):
            errs.append("forbidden abbreviation US in " + r[0])
    # Plural forms the matcher derives from demonyms must not hit another row.
    for r in rows:
        for d in split_list(r[5]):
            for p in (d + "s", d + "es"):
                o = owner.get(p.casefold())
                if o and o != r[0]:
                    errs.append("plural %r of %s collides with %s" % (p, r[0], o))

    ssl = read_ssl(ssl_path)
    byrow = {r[0]: r for r in rows}
    dropped_ok = []
    for a2, s in ssl.items():
        r = byrow.get(a2)
        if not r:
            errs.append("WHO-SSL country %s missing" % a2)
            continue
        have = {x.casefold() for x in [r[3]] + split_list(r[4]) + split_list(r[5])}
        for col in ("common_variants", "demonyms"):
            for x in split_list(s[col]):
                x = clean_ssl(x)
                if x.casefold() in have:
                    continue
                if (a2, x) in DROP:
                    dropped_ok.append("%s %s" % (a2, x))
                else:
                    errs.append("WHO-SSL %s %r missing from row" % (a2, x))

    abbr = sorted(k for r in rows for k in split_list(r[4]) + split_list(r[5])
                  if UPPER_ABBR.match(k))
    print("case-sensitive (uppercase/dots) strings: " + " ".join(abbr))
    print("rows: %d (6 columns each: %s)" % (len(rows), all(len(l.split("\t")) == 6 for l in data)))
    print("unique alpha2: %d, unique alpha3: %d" % (len(set(a2s)), len(set(a3s))))
    print("strings (names+variants+demonyms): %d, all unique case-insensitively: %s"
          % (n_strings, n_strings == len(owner)))
    print("WHO-SSL countries: %d, all present: %s" % (len(ssl), all(a in byrow for a in ssl)))
    print("WHO-SSL strings dropped deliberately: %s" % ", ".join(sorted(dropped_ok)))
    if errs:
        print("ERRORS (%d):" % len(errs))
        for e in errs:
            print("  " + e)
        return 1
    print("OK")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default=DEF_ISO)
    ap.add_argument("--mo", default=DEF_MO)
    ap.add_argument("--ssl", default=DEF_SSL)
    ap.add_argument("-o", "--out", default=DEF_OUT)
    ap.add_argument("--check", action="store_true", help="only validate OUT")
    a = ap.parse_args()
    if not a.check:
        write(build(a.iso, a.mo, a.ssl), a.out)
    return check(a.out, a.iso, a.ssl)


if __name__ == "__main__":
    sys.exit(main())
