"""The privacy check's word lists and patterns.

Kept apart from the code that applies them, so a reviewer can read (and a
practice can extend) what the check looks for without reading how. Every list
is lower case; patterns are compiled case-insensitive unless they need
capitals to tell a name from a word.
"""
from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _alternation(words) -> str:
    # longest first, so "grandmother" wins over "mother"
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# ---------------------------------------------------------------- crisis
CRISIS_PHRASES = [
    r"suicid\w*",
    r"kill(?:ed|ing|s)? (?:him|her|my|them|your|our)sel(?:f|ves)",
    r"end(?:ed|ing|s)? (?:his|her|my|their|your) (?:own )?life",
    r"took (?:his|her|their) (?:own )?life",
    r"take (?:his|her|their|my) (?:own )?life",
    r"(?:wanted|wants|want|wish(?:ed)?) to die",
    r"did(?:n't| not) want to (?:be alive|live|wake up)",
    r"self[- ]harm\w*",
    r"self[- ]injur\w*",
    r"cutting (?:him|her|my|them)sel(?:f|ves)",
    r"cut (?:him|her|my|them)sel(?:f|ves)",
    r"hurt(?:ing)? (?:him|her|my|them)sel(?:f|ves)",
    r"overdos\w*",
    r"abus(?:e|ed|er|ers|ing|ive)",
    r"assault(?:ed|s)?",
    r"rap(?:e|ed|ist)",
    r"domestic violence",
    r"molest\w*",
    r"beat (?:her|him|them) (?:up)?",
    r"hit (?:her|him|them) again",
    r"hanged (?:him|her)self",
]
CRISIS = re.compile(r"\b(?:" + "|".join(CRISIS_PHRASES) + r")\b", re.IGNORECASE)

# ---------------------------------------------------------------- who
# A particular client (singular, with a word that points at one): "a client",
# "my client", "one patient", "someone I work with", "a woman I saw".
PERSON_NOUNS = _words(
    """man woman boy girl teen teenager student mother father mom mum dad parent
    gentleman lady person couple widow widower veteran"""
)
FAMILY = _words(
    """sister brother mother father mom mum dad husband wife partner boyfriend girlfriend
    fiance fiancee son daughter stepson stepdaughter stepmother stepfather grandmother
    grandfather grandma grandpa grandson granddaughter aunt uncle cousin niece nephew
    ex ex-husband ex-wife ex-partner twin sibling parents grandchildren grandchild in-laws mother-in-law father-in-law
    sister-in-law brother-in-law fiancé fiancée"""
)
JOBS = _words(
    """nurse doctor physician surgeon teacher professor lawyer firefighter paramedic
    police officer soldier pilot engineer accountant pharmacist dentist chef cook
    electrician plumber carpenter mechanic farmer trucker driver cashier barista
    server waitress waiter librarian architect journalist reporter actor actress
    musician pastor priest minister rabbi imam principal coach athlete banker
    realtor veterinarian vet programmer developer designer nanny midwife social-worker
    manager ceo executive student"""
)
CLIENT_NOUNS = _words("client patient counsellee counselee")
_DETERMINER = r"(?:a|an|one|my|this|that|the|another|our)"
_ADJECTIVES = (
    r"(?:young|younger|older|elderly|new|former|long-time|longtime|particular|teenage|teen|male|female|"
    r"married|single|pregnant|retired|recent)"
)
# A capitalised name, accents included ("Renée", "Zoë").
NAME_WORD = r"[A-Z][a-zà-öø-ÿ'’]+"
SPECIFIC_CLIENT = re.compile(
    rf"\b(?:{_DETERMINER}\s+(?:{_ADJECTIVES}\s+)?"
    rf"(?:{_alternation(CLIENT_NOUNS)})s?\b(?!\s+(?:often|usually|sometimes|tend|might|may|can|will|would))"
    rf"|one of my (?:clients|patients)"
    rf"|(?:someone|somebody|a person) I (?:work|worked|see|saw|was seeing|am seeing|counsel|counselled|treated|treat)"
    rf"(?: with)?"
    rf"|(?:a|an|one|this|the) (?:{_ADJECTIVES}\s+)?(?:{_alternation(PERSON_NOUNS | FAMILY | JOBS)}) "
    rf"(?:I (?:work|worked|see|saw|was seeing|am seeing|counsel|counselled|treated|met)|in my (?:practice|office|caseload|group))"
    rf"|in (?:a |one )?session (?:last|this|yesterday|recently|on)"
    rf"|a (?:family|couple) I (?:work|worked|see|saw))",
    re.IGNORECASE,
)
# Generic talk about clients is the therapist's own experience, not a case.
GENERIC_CLIENTS = re.compile(
    r"\b(?:(?:many|most|some|all|few|my|our|other|new) (?:of (?:my|our) )?(?:clients|patients|people)"
    r"|clients|patients|people|a lot of (?:my )?clients)\b",
    re.IGNORECASE,
)

# Third-person singular words that point at someone who is not the writer.
THIRD_PERSON = re.compile(r"\b(?:she|he|her|him|his|hers|herself|himself)\b", re.IGNORECASE)


# "my friend Sam", "her son", "my colleague": someone other than the writer.
OTHER_PERSON_NOUNS = FAMILY | _words("friend colleague neighbour neighbor boss coworker co-worker roommate supervisor manager")
OTHER_PERSON = re.compile(
    rf"\b(?:my|her|his|their|a|an|our) (?:(?:best|old|late|younger|older|little|big|eldest|youngest)\s+)?"
    rf"(?:{_alternation(OTHER_PERSON_NOUNS)})s?\b",
    re.IGNORECASE,
)
FAMILY_WORD = re.compile(rf"\b(?:{_alternation(FAMILY)})s?\b", re.IGNORECASE)


JOB = re.compile(
    r"\b(?:teaches|taught|nurses|drives a (?:truck|bus|taxi|cab)|runs a (?:small )?(?:business|shop|bakery|restaurant|farm|company))\b"
    rf"|\b(?:(?:a|an|as a|as an|works as an?|worked as an?) )(?:(?:retired|former|young|trauma|er|icu|high school|grade \w+)\s+)?"
    rf"(?:{_alternation(JOBS)})s?\b",
    re.IGNORECASE,
)

DIAGNOSES = [
    r"bipolar(?: disorder)?", r"schizophreni\w*", r"ptsd", r"c-ptsd", r"ocd", r"adhd", r"autis\w*",
    r"anorexi\w*", r"bulimi\w*", r"binge eating", r"borderline(?: personality)?", r"psychosis", r"psychotic",
    r"dementia", r"alzheimer'?s", r"parkinson'?s", r"cancer", r"hiv", r"multiple sclerosis", r"ms diagnosis",
    r"diabet\w*", r"epilep\w*", r"postpartum", r"miscarriage\w*", r"infertil\w*", r"chronic pain",
    r"panic disorder", r"(?:major |clinical )?depression diagnosis", r"diagnosed with [\w' -]+",
    r"addiction", r"alcoholi\w*", r"opioid\w*", r"eating disorder", r"dissociative \w+",
    r"stroke", r"heart attack", r"chemo\w*", r"surgery", r"sober", r"sobriety", r"relaps\w*", r"rehab",
]
DIAGNOSIS = re.compile(r"\b(?:" + "|".join(DIAGNOSES) + r")\b", re.IGNORECASE)

# ---------------------------------------------------------------- age
AGE_PATTERNS = [
    r"\d{1,2}[- ]year[- ]olds?",
    r"\d{1,2} years old",
    r"aged \d{1,2}",
    r"age (?:of )?\d{1,2}",
    (
        rf"(?:she|he|they|who|(?:{_alternation(FAMILY)})s?) (?:is|was|were|'s|had just turned|just turned|turned) "
        r"(?:only |just |barely |almost |nearly )?\d{1,2}\b(?! (?:minutes|hours|days|weeks|months|percent|%|times))"
    ),
    r"in (?:his|her|their) (?:early |mid-|mid |late )?(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|20s|30s|40s|50s|60s|70s|80s|90s)",
    r"(?:early|mid|late)-?(?:twenties|thirties|forties|fifties|sixties|seventies|eighties)",
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|eight|nine)[- ]year[- ]old",
    r"(?:a|an|the|this) teen(?:age|aged|ager)?\b",
    r"(?:barely|just|only|almost|nearly|aged|is|was|turned) (?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)\b",
    r"(?:twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty)[- ]year[- ]old",
]
AGE = re.compile(r"\b(?:" + "|".join(AGE_PATTERNS) + r")", re.IGNORECASE)
# ", 82," right after a name: "Priya, 82, told me"
AGE_AFTER_NAME = re.compile(r"\b[A-Z][a-z]+, (\d{1,2}),")
OWN_AGE = re.compile(r"\b(?:I'm|I am|I was|I turned|I had just turned|me at|myself at)\s+(?:\w+\s+)?$", re.IGNORECASE)

# ---------------------------------------------------------------- date
MONTHS = _words("january february march april may june july august september october november december")
DAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
SEASONS = _words("winter spring summer fall autumn")
DATE_PATTERNS = [
    rf"(?:{_alternation(MONTHS)}) \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?",
    rf"\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_alternation(MONTHS)})(?: \d{{4}})?",
    rf"(?:in|since|by|until|last|this past|early|late) (?:{_alternation(MONTHS)})(?! \d)",
    rf"(?:{_alternation(MONTHS)}) (?:19|20)\d\d",
    r"(?:in|since|back in|during) (?:19|20)\d\d",
    rf"(?:last|this past|this|that|on|next) (?:{_alternation(DAYS)})(?!s)",
    rf"(?:last|this past|that|the previous|one|early last|late last) (?:{_alternation(SEASONS)})",
    r"(?:last|this past|the previous) (?:week|month|year|weekend|night|spring break|christmas|easter)",
    r"yesterday",
    r"this morning",
    r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|\d+) (?:days|weeks|months|years) ago",
    r"(?:over|at|after|before) (?:christmas|easter|thanksgiving|the holidays|new year'?s)",
    r"on (?:christmas|new year'?s|thanksgiving|valentine'?s|mother'?s day|father'?s day|her birthday|his birthday)",
    r"\d{1,2}/\d{1,2}/\d{2,4}",
]
DATE = re.compile(r"\b(?:" + "|".join(DATE_PATTERNS) + r")\b", re.IGNORECASE)

# ---------------------------------------------------------------- place
# Capitalised words after a preposition of place; the words below are not places.
NOT_PLACES = _words(
    """i i'm god english french spanish christmas easter thanksgiving covid zoom
    therapy mindfulness cbt dbt act emdr the a an my our your his her their this that
    first then monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    canada america europe asia africa earth"""
) | _words("heaven hell mind body")
PLACE = re.compile(
    r"\b(?:in|at|from|near|to|outside|around|on)\s+((?:St\.?\s|Saint\s|Mount\s|Lake\s|North\s|South\s|East\s|West\s|New\s)?"
    r"[A-Z][a-z]+(?:['’]s)?(?:\s+(?:[A-Z][a-z]+|Street|St|Avenue|Ave|Road|Rd|Drive|Park|Hospital|School|"
    r"College|University|Mall|Centre|Center|Clinic|Bay|Island|Heights|Falls|Valley)\.?){0,4})"
)
WORKPLACE = re.compile(
    r"\b(?:works?|worked|working|employed|job|shift|shifts|teaches|taught|studies|studied|volunteers?|volunteered)"
    r"\s+(?:at|for|in)\s+(?:the\s+)?([A-Z][\w'’]+(?:\s+[A-Z][\w'’]+){0,4}|(?:local|same|big|downtown|nearby)\s+\w+)",
)
STREET = re.compile(
    r"\b\d{1,5}\s+[A-Z][a-z]+\s+(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Crescent|Lane)\b"
    r"|\bon\s+[A-Z][a-z]+\s+(?:Street|Avenue|Road|Drive|Crescent|Lane)\b"
)

# ---------------------------------------------------------------- names
# Common first names, across the cultures of a Canadian city. Words that are
# also ordinary English (Hope, Grace, Will, May, Rose, Joy…) are left out:
# they are caught only where the sentence says it is a name ("my client Grace").
FIRST_NAMES = _words(
    """aaliyah aaron abdul abigail adam adrian ahmed aiden aisha alex alexander alexandra ali alice alicia
    amanda amara amir amy ana andrea andrew angela anna anne anthony arjun ashley ava ayesha
    ben benjamin beth bianca brandon brian brittany caleb cameron carlos carmen caroline catherine
    charlotte chen chloe chris christina christopher claire cole connor craig daniel dana daniela david
    deepa derek diana diego dmitri dylan elena eli elijah elizabeth ella emily emma eric erin ethan
    eva evan fatima felix fiona francesca gabriel gavin george grace hannah harper harry hassan helen
    henry hiroshi ian isaac isabel isabella jack jacob james jamal jane jasmine jason javier jay jen
    jenna jennifer jeremy jessica jin john jonah jordan jose joseph joshua julia julian justin kai
    karen kate katie kayla keisha kevin kim kyle laura lauren leah lena leo liam lily linda lucas
    lucy luis luke madison maria mariam marcus marie mark martin mary mateo matthew megan mei mia
    michael michelle miguel mohammed muhammad nadia naomi natalie nathan nia nicholas nicole nina noah
    nora oliver olivia omar oscar owen pablo patrick paul peter priya rachel rafael rahul raj ravi
    rebecca riley robert ryan sam samantha samir samuel sara sarah sean sebastian sofia sophia sophie
    stephanie steven sunita tanya taylor thomas tim timothy tom tyler valentina victor victoria
    vikram wei william xavier yasmin yusuf zach zainab zara zoe"""
)
# Sources a therapist may cite by name; never flagged.
WELL_KNOWN = _words(
    """rogers freud jung adler winnicott bowlby ainsworth erikson maslow frankl beck ellis linehan
    gottman brach kabat-zinn neff brown angelou rumi hanh thich siegel van der kolk perel yalom
    satir minuchin bateson porges levine rosenberg maté mate kornfield chodron pema tolle lerner
    hayes wilson shapiro seligman dweck csikszentmihalyi nhat tara kristin brené brene viktor
    carl sigmund irvin virginia marsha bessel esther john stephen aaron albert donald harriet
    abraham daniel gabor jon thomas"""
)
# "as Carl Rogers wrote", "Brené Brown calls it": a citation, not a person in a story.
CITATION = re.compile(
    r"\b(?:as|like|author|psychologist|psychiatrist|researcher|writer|poet|philosopher)\s+"
    r"[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}"
)
# "Brené Brown calls it": a citation when one of the names is a known source.
CITED_SAYING = re.compile(
    r"([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s+(?:wrote|writes|said|says|calls|called|described|describes|"
    r"put it|puts it|taught|teaches|argued|argues|reminds us|suggests|suggested|coined)\b"
)
# A capitalised word right after a person noun is that person's name: "my client Dana".
NAME_AFTER_NOUN = re.compile(
    rf"\b(?i:(?:my|her|his|their|a|our)\s+(?:(?:best|old|late|younger|older|little|big)\s+)?"
    rf"(?:{_alternation(OTHER_PERSON_NOUNS | CLIENT_NOUNS)})),?\s+({NAME_WORD})"
)
# "Theo, a client of mine, …": a name and who they are.
NAME_IN_APPOSITION = re.compile(
    rf"\b({NAME_WORD}),\s+(?i:(?:a|an|my|one of my|our)\s+(?:\w+\s+)?(?:{_alternation(OTHER_PERSON_NOUNS | CLIENT_NOUNS)}))"
)
SPEECH_VERBS = r"(?:told|said|says|asked|asks|shared|described|admitted|explained|wrote|cried|laughed|came|walked|called|texted|mentioned|realised|realized|noticed|decided|felt|was|is|had)"
NAME_BEFORE_VERB = re.compile(rf"\b({NAME_WORD})(?:,\s+\d{{1,2}},)?\s+{SPEECH_VERBS}\b")
