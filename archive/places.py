"""Places a sentence names (countries, their people, US states, regions), for telling figures apart.

"5 million in the UK" and "54 million in South Korea" count different things: a figure is
qualified by the places its sentence names. Names are matched as written (capitalised), so
"turkey" the bird or "china" plates are not places; a people's name maps to its country
("Lebanese" → "lebanon"). The list is the countries and regions news names most, not a
gazetteer: a place it lacks only makes two sentences look alike, and callers then decide
by their other evidence. Pure data and one function.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Canonical name → the other ways news writes it (the canonical name itself is matched too).
_PLACES: dict[str, tuple[str, ...]] = {
    "united states": ("US", "U.S.", "USA", "U.S.A.", "America", "American", "Americans", "United States"),
    "united kingdom": ("UK", "U.K.", "Britain", "British", "Great Britain", "England", "English", "Scotland",
                       "Scottish", "Wales", "Welsh", "Northern Ireland", "United Kingdom"),
    "european union": ("EU", "E.U.", "European Union", "Europe", "European", "Europeans"),
    "china": ("China", "Chinese", "Beijing"), "japan": ("Japan", "Japanese", "Tokyo"),
    "south korea": ("South Korea", "South Korean", "Korea", "Korean", "Seoul"),
    "north korea": ("North Korea", "North Korean", "Pyongyang"), "india": ("India", "Indian", "Indians"),
    "russia": ("Russia", "Russian", "Russians", "Moscow"), "france": ("France", "French", "Paris"),
    "germany": ("Germany", "German", "Germans", "Berlin"), "italy": ("Italy", "Italian", "Italians", "Rome"),
    "spain": ("Spain", "Spanish", "Madrid"), "canada": ("Canada", "Canadian", "Canadians"),
    "mexico": ("Mexico", "Mexican", "Mexicans"), "brazil": ("Brazil", "Brazilian", "Brazilians"),
    "australia": ("Australia", "Australian", "Australians"), "israel": ("Israel", "Israeli", "Israelis"),
    "lebanon": ("Lebanon", "Lebanese", "Beirut"), "syria": ("Syria", "Syrian", "Syrians", "Damascus"),
    "iran": ("Iran", "Iranian", "Iranians", "Tehran"), "iraq": ("Iraq", "Iraqi", "Iraqis", "Baghdad"),
    "jordan": ("Jordan", "Jordanian"), "egypt": ("Egypt", "Egyptian", "Egyptians", "Cairo"),
    "turkey": ("Turkey", "Turkish", "Ankara"), "saudi arabia": ("Saudi Arabia", "Saudi", "Saudis"),
    "palestine": ("Palestine", "Palestinian", "Palestinians", "Gaza", "West Bank"),
    "ukraine": ("Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev"), "poland": ("Poland", "Polish"),
    "netherlands": ("Netherlands", "Dutch", "Amsterdam"), "belgium": ("Belgium", "Belgian"),
    "sweden": ("Sweden", "Swedish", "Stockholm"), "norway": ("Norway", "Norwegian"),
    "denmark": ("Denmark", "Danish"), "finland": ("Finland", "Finnish"), "ireland": ("Ireland", "Irish"),
    "switzerland": ("Switzerland", "Swiss"), "austria": ("Austria", "Austrian"), "greece": ("Greece", "Greek"),
    "portugal": ("Portugal", "Portuguese"), "afghanistan": ("Afghanistan", "Afghan", "Kabul"),
    "pakistan": ("Pakistan", "Pakistani"), "bangladesh": ("Bangladesh", "Bangladeshi"),
    "indonesia": ("Indonesia", "Indonesian"), "philippines": ("Philippines", "Philippine", "Filipino"),
    "vietnam": ("Vietnam", "Vietnamese"), "thailand": ("Thailand", "Thai", "Bangkok"),
    "malaysia": ("Malaysia", "Malaysian"), "singapore": ("Singapore", "Singaporean"),
    "taiwan": ("Taiwan", "Taiwanese"), "hong kong": ("Hong Kong",), "nigeria": ("Nigeria", "Nigerian", "Abuja"),
    "south africa": ("South Africa", "South African"), "kenya": ("Kenya", "Kenyan"),
    "ethiopia": ("Ethiopia", "Ethiopian"), "argentina": ("Argentina", "Argentine", "Argentinian"),
    "chile": ("Chile", "Chilean"), "colombia": ("Colombia", "Colombian"), "peru": ("Peru", "Peruvian"),
    "venezuela": ("Venezuela", "Venezuelan"), "bolivia": ("Bolivia", "Bolivian"), "cuba": ("Cuba", "Cuban"),
    "new zealand": ("New Zealand",), "qatar": ("Qatar", "Qatari"), "yemen": ("Yemen", "Yemeni"),
    "libya": ("Libya", "Libyan"), "sudan": ("Sudan", "Sudanese"), "madagascar": ("Madagascar",),
    "congo": ("Congo", "Congolese"), "africa": ("Africa", "African"), "asia": ("Asia", "Asian"),
    "middle east": ("Middle East",), "latin america": ("Latin America", "Latin American"),
    "california": ("California", "Californian"), "texas": ("Texas", "Texan"), "new york": ("New York",),
    "florida": ("Florida",), "michigan": ("Michigan",), "louisiana": ("Louisiana",),
    "mississippi": ("Mississippi",), "kentucky": ("Kentucky",), "virginia": ("Virginia",),
    "oregon": ("Oregon",), "new mexico": ("New Mexico",), "south dakota": ("South Dakota",),
    "washington state": ("Washington State",), "ohio": ("Ohio",), "pennsylvania": ("Pennsylvania",),
    "south carolina": ("South Carolina",), "iowa": ("Iowa",), "illinois": ("Illinois",),
    "inner mongolia": ("Inner Mongolia",),
}  # fmt: skip

_CANONICAL = {name: canonical for canonical, names in _PLACES.items() for name in names}
# Longest names first so "South Korea" wins over "Korea"; no letter may touch either end.
_PATTERN = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(_CANONICAL, key=len, reverse=True)) + r")(?![\w])"
)


@lru_cache(maxsize=4096)
def places(text: str) -> frozenset[str]:
    """The canonical names of the places `text` names, e.g. {"lebanon", "israel"}."""
    return frozenset(_CANONICAL[m.group(1)] for m in _PATTERN.finditer(text))
