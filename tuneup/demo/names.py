"""Invented, plausible names for artists, albums and tracks, per naming flavour, from a seeded RNG."""

from __future__ import annotations

import random

FIRST = (
    "Maya",
    "Jonas",
    "Elif",
    "Tomás",
    "Ines",
    "Kwame",
    "Hannah",
    "Ravi",
    "Zoë",
    "Mateo",
    "Ingrid",
    "Yusuf",
    "Clara",
    "Dmitri",
    "Amara",
    "Felix",
    "Noor",
    "Oskar",
    "Leila",
    "Søren",
    "Aiko",
    "Bruno",
    "Freya",
    "Idris",
    "Lucía",
    "Otis",
    "Priya",
    "Emil",
    "Nadia",
    "Callum",
    "Ruth",
    "Kenji",
    "Ada",
    "Milo",
    "Esther",
    "Ólafur",
    "June",
    "Anton",
    "Marisol",
    "Wendell",
    "Thea",
    "Cyrus",
    "Greta",
    "Desmond",
    "Juniper",
    "Lars",
    "Odette",
)
LAST = (
    "Marchand",
    "Okafor",
    "Lindqvist",
    "Ferreira",
    "Haddad",
    "Novak",
    "Albright",
    "Kowalski",
    "Delacroix",
    "Mbeki",
    "Sørensen",
    "Whitfield",
    "Castellano",
    "Ibarra",
    "Nakamura",
    "Brennan",
    "Vasquez",
    "Holloway",
    "Adeyemi",
    "Larkin",
    "Moreau",
    "Petrov",
    "Quinlan",
    "Åberg",
    "Tanaka",
    "Fairweather",
    "Osei",
    "Calloway",
    "Rinaldi",
    "Hartmann",
    "Abernathy",
    "Duarte",
    "Kessler",
    "Munro",
    "Sato",
    "Varga",
    "Beaumont",
    "Ellery",
)
ADJ = (
    "Silver",
    "Quiet",
    "Hollow",
    "Golden",
    "Paper",
    "Electric",
    "Velvet",
    "Broken",
    "Distant",
    "Crooked",
    "Wild",
    "Pale",
    "Northern",
    "Late",
    "Little",
    "Bright",
    "Slow",
    "Burning",
    "Sunken",
    "Glass",
    "Amber",
    "Midnight",
    "Faded",
    "Restless",
    "Gentle",
    "Open",
    "Wandering",
    "Scarlet",
    "Lonesome",
    "Blue",
)
NOUN = (
    "Harbour",
    "Lanterns",
    "Orchard",
    "Rivers",
    "Static",
    "Comets",
    "Houses",
    "Foxes",
    "Mirrors",
    "Engines",
    "Sparrows",
    "Tides",
    "Embers",
    "Wires",
    "Meadows",
    "Satellites",
    "Bridges",
    "Ghosts",
    "Islands",
    "Pines",
    "Signals",
    "Horses",
    "Windows",
    "Gardens",
    "Canyons",
    "Lights",
    "Rooms",
    "Parades",
    "Moths",
    "Valleys",
)
SINGULAR = (
    "Harbour",
    "Lantern",
    "Orchard",
    "River",
    "Comet",
    "House",
    "Fox",
    "Mirror",
    "Engine",
    "Sparrow",
    "Tide",
    "Ember",
    "Wire",
    "Meadow",
    "Satellite",
    "Bridge",
    "Ghost",
    "Island",
    "Pine",
    "Signal",
    "Horse",
    "Window",
    "Garden",
    "Canyon",
    "Light",
    "Room",
    "Parade",
    "Moth",
    "Valley",
    "Letter",
    "Morning",
    "Summer",
)

VOCAB = {
    "alias": (
        (
            "Neon",
            "Chrome",
            "Midnight",
            "Turbo",
            "Laser",
            "Vapor",
            "Night",
            "Hyper",
            "Cyber",
            "Sunset",
            "Kinetic",
            "Analog",
            "Digital",
            "Phantom",
            "Crystal",
            "Magnetic",
            "Arcade",
            "Obsidian",
            "Ultra",
            "Infra",
        ),
        (
            "Corridor",
            "Drive",
            "Pulse",
            "Runner",
            "Horizon",
            "Circuit",
            "Grid",
            "Vector",
            "Skyline",
            "Engine",
            "Protocol",
            "Mirage",
            "Frequency",
            "Motion",
            "Prism",
            "Voltage",
            "Tunnel",
            "Boulevard",
            "System",
            "Echo",
        ),
    ),
    "lofi": (
        (
            "soft",
            "dusty",
            "rainy",
            "sleepy",
            "mellow",
            "late",
            "cozy",
            "faded",
            "warm",
            "quiet",
            "foggy",
            "slow",
        ),
        (
            "window",
            "tapes",
            "fern",
            "hours",
            "cafe",
            "bedroom",
            "notebook",
            "sunday",
            "lamp",
            "radio",
            "cloud",
            "tea",
            "balcony",
            "tram",
            "plant",
            "polaroid",
            "sweater",
            "letters",
        ),
    ),
    "band": (ADJ, NOUN),
    "person": (ADJ, NOUN),
    "jazz": (
        (
            "Blue",
            "Midnight",
            "Smoky",
            "Velvet",
            "Late",
            "Round",
            "Minor",
            "Sweet",
            "Lazy",
            "Satin",
            "Cool",
        ),
        (
            "Blues",
            "Waltz",
            "Bop",
            "Strut",
            "Ballad",
            "Shuffle",
            "Groove",
            "Serenade",
            "Stomp",
            "Vamp",
            "Riff",
        ),
    ),
    "ambient": (
        (
            "Still",
            "Pale",
            "Slow",
            "Vast",
            "Soft",
            "Frozen",
            "Drifting",
            "Hidden",
            "Endless",
            "Dim",
            "White",
        ),
        (
            "Meridian",
            "Water",
            "Tundra",
            "Lagoon",
            "Fields",
            "Aurora",
            "Haze",
            "Glacier",
            "Horizon",
            "Dunes",
            "Drift",
            "Light",
            "Shore",
            "Atlas",
            "Current",
        ),
    ),
    "metal": (
        (
            "Iron",
            "Grave",
            "Black",
            "Dread",
            "Molten",
            "Savage",
            "Obsidian",
            "Infernal",
            "Rusted",
            "Frost",
            "Blood",
            "Storm",
            "Dire",
            "Cursed",
            "Titan",
        ),
        (
            "Sovereign",
            "Throne",
            "Wolves",
            "Ruin",
            "Oath",
            "Serpent",
            "Crown",
            "Abyss",
            "Legion",
            "Pyre",
            "Hammer",
            "Tyrant",
            "Citadel",
            "Omen",
            "Reign",
        ),
    ),
}


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _invented_word(rng: random.Random) -> str:
    syllables = (
        "ka",
        "ve",
        "lo",
        "ri",
        "zan",
        "mo",
        "tis",
        "el",
        "nor",
        "ax",
        "qui",
        "ra",
        "sol",
        "dex",
        "ny",
    )
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()


def artist(flavour: str, rng: random.Random) -> str:
    adj, noun = VOCAB[flavour]
    roll = rng.random()
    if flavour == "alias":
        if roll < 0.5:
            return f"{rng.choice(adj)} {rng.choice(noun)}"
        if roll < 0.75:
            return _invented_word(rng)
        return f"{rng.choice(adj).upper()}{rng.choice(('', ' ', '-'))}{rng.choice(noun).upper()}"
    if flavour == "lofi":
        return rng.choice(
            (
                f"{rng.choice(adj)} {rng.choice(noun)}",
                f"{rng.choice(adj)}.{rng.choice(noun)}",
                f"{rng.choice(FIRST).lower()} & {rng.choice(noun)}",
            )
        )
    if flavour == "person" or (flavour == "ambient" and roll < 0.4):
        return person(rng) if roll < 0.75 else f"{person(rng)} & the {rng.choice(NOUN)}"
    if flavour == "jazz":
        lead = person(rng)
        return rng.choice((lead, lead, f"{lead} Trio", f"The {lead} Quartet", f"{lead} Sextet"))
    if flavour == "ambient":
        return f"{rng.choice(adj)} {rng.choice(noun)}"
    if flavour == "metal":
        return rng.choice(
            (
                f"{rng.choice(adj)} {rng.choice(noun)}",
                rng.choice(adj) + rng.choice(noun).lower(),
                "{} of {}".format(*rng.sample(noun, 2)),
            )
        )
    return rng.choice(
        (
            f"The {rng.choice(NOUN)}",
            f"{rng.choice(ADJ)} {rng.choice(NOUN)}",
            f"The {rng.choice(ADJ)} {rng.choice(NOUN)}",
            f"{rng.choice(SINGULAR)} {rng.choice(SINGULAR)}s",
        )
    )


def title(flavour: str, rng: random.Random) -> str:
    """A track title; album titles use the same vocabulary."""
    adj, noun = VOCAB[flavour]
    if flavour == "lofi":
        return rng.choice(
            (
                f"{rng.choice(adj)} {rng.choice(noun)}",
                rng.choice(noun),
                f"{rng.choice(noun)} at {rng.randint(1, 12)}am",
                f"{rng.choice(adj)} {rng.choice(noun)} (interlude)",
            )
        )
    if flavour == "jazz":
        return rng.choice(
            (
                f"{rng.choice(adj)} {rng.choice(noun)}",
                f"{rng.choice(noun)} for {rng.choice(FIRST)}",
                f"{rng.choice(FIRST)}'s {rng.choice(noun)}",
                f"{rng.choice(SINGULAR)} {rng.choice(noun)}",
            )
        )
    if flavour in ("band", "person"):
        return rng.choice(
            (
                f"{rng.choice(ADJ)} {rng.choice(SINGULAR)}",
                f"The {rng.choice(SINGULAR)}",
                f"{rng.choice(SINGULAR)} of {rng.choice(NOUN)}",
                f"Songs for the {rng.choice(ADJ)} {rng.choice(SINGULAR)}",
                f"{rng.choice(NOUN)}",
                f"When the {rng.choice(NOUN)} Go {rng.choice(ADJ)}",
            )
        )
    if flavour == "metal":
        return rng.choice(
            (
                f"{rng.choice(adj)} {rng.choice(noun)}",
                "{} of the {}".format(*rng.sample(noun, 2)),
                f"Into the {rng.choice(noun)}",
                f"{rng.choice(noun)}",
            )
        )
    return rng.choice(
        (
            f"{rng.choice(adj)} {rng.choice(noun)}",
            rng.choice(noun),
            f"{rng.choice(noun)} {rng.choice(('II', 'IV', 'IX', '2049', '3000', 'Zero', 'One'))}",
            f"{rng.choice(adj)} {rng.choice(noun)} ({rng.choice(('Extended', 'Night', 'Dub', 'Reprise'))})",
        )
    )


def album(flavour: str, rng: random.Random) -> str:
    if rng.random() < 0.12 and flavour not in ("lofi", "metal"):
        return rng.choice(
            ("Volume II", "Live at the Roundhouse", "Selected Works", "Sessions", "Night Shift EP")
        )
    return title(flavour, rng).replace(" (interlude)", "")
