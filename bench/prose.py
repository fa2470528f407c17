"""Synthetic clinical prose for the ten-year vault: names, note sections, ladders, letters.

Everything here is invented. Names come from syllable lists, never from real people; notes are
template sentences whose slots are drawn from ranked vocabularies with Zipf weights (rank r is
drawn with weight 1/r^s), plus a deep tail of made-up words (pets, streets, workplaces), so word
frequencies in the vault fall off like real text: a few words in almost every note, most words
in a handful. Each client has a small profile (their own symptoms, people and places) so a
client's notes read as one story and a search for a rare word finds one or two clients.

All randomness comes from the `random.Random` passed in, so the same seed gives the same vault.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

# -- synthetic names ------------------------------------------------------------------------------

_ONSETS = ("b", "br", "c", "d", "dr", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s",
           "sh", "t", "th", "v", "w", "z", "el", "al", "or", "is")
_VOWELS = ("a", "e", "i", "o", "u", "ae", "ia", "ei", "ou", "y")
_CODAS = ("", "", "", "n", "l", "r", "s", "th", "m", "nd", "rk", "ss", "x")
_FIRST_ENDINGS = ("", "", "a", "el", "en", "ie", "o", "an", "ine", "yn", "is", "et")
_SURNAME_ENDINGS = ("son", "ley", "wood", "by", "ton", "field", "worth", "ham", "well", "more",
                    "dale", "croft", "ford", "stone", "er", "ick", "ard")
_TAIL_ENDINGS = ("", "", "", "ington", "sby", "mere", "holt", "wick", "brook", "cote", "hurst",
                 "ery", "ling", "ow", "ette")


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def first_name(rng: random.Random) -> str:
    """An invented given name, e.g. 'Thaelen'."""
    parts = _syllable(rng) + (_syllable(rng) if rng.random() < 0.45 else "")
    return (parts + rng.choice(_FIRST_ENDINGS)).capitalize()


def surname(rng: random.Random) -> str:
    """An invented family name, e.g. 'Brouwood'."""
    return (_syllable(rng) + rng.choice(_SURNAME_ENDINGS)).capitalize()


def tail_words(rng: random.Random, count: int) -> list[str]:
    """`count` distinct invented words: the deep tail of the vocabulary (pets, places, firms)."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        word = _syllable(rng) + _syllable(rng) + rng.choice(_TAIL_ENDINGS)
        if len(word) < 5 or word in seen:
            continue
        seen.add(word)
        out.append(word.capitalize())
    return out


# -- ranked vocabularies (most frequent first) ----------------------------------------------------

VOCAB: dict[str, tuple[str, ...]] = {
    "emotion": (
        "anxious", "low", "overwhelmed", "frustrated", "worried", "tense", "sad", "irritable",
        "hopeful", "tired", "tearful", "calmer", "angry", "guilty", "ashamed", "lonely",
        "restless", "flat", "relieved", "discouraged", "apprehensive", "numb", "resentful",
        "embarrassed", "panicky", "detached", "motivated", "exhausted", "content", "jealous",
        "confused", "proud", "hurt", "betrayed", "stuck", "on edge", "hypervigilant", "bereft",
        "listless", "agitated", "defeated", "encouraged", "self-conscious", "ambivalent",
        "humiliated", "powerless", "trapped", "optimistic", "wistful", "disorientated",
    ),
    "symptom": (
        "anxiety", "low mood", "poor sleep", "rumination", "worry", "avoidance", "panic attacks",
        "fatigue", "irritability", "intrusive thoughts", "low motivation", "self-criticism",
        "concentration difficulties", "appetite changes", "social withdrawal", "nightmares",
        "hypervigilance", "checking", "reassurance seeking", "procrastination", "tension headaches",
        "racing thoughts", "anhedonia", "flashbacks", "dissociation", "binge eating",
        "alcohol use", "body image concerns", "health anxiety", "muscle tension",
        "early waking", "tearfulness", "hopelessness", "perfectionism", "catastrophising",
        "emotional numbing", "startle responses", "compulsive cleaning", "skin picking",
        "chest tightness", "dizziness", "derealisation", "overeating", "restlessness",
        "anger outbursts", "low self-esteem", "guilt", "indecision", "nausea", "palpitations",
    ),
    "situation": (
        "work", "their relationship", "family conflict", "the children", "finances",
        "a recent argument", "their mother's illness", "returning to work", "university exams",
        "the house move", "a job interview", "the separation", "weekends alone",
        "the anniversary of the loss", "conflict with a colleague", "the commute",
        "caring responsibilities", "the holidays", "a hospital appointment", "a friend's wedding",
        "redundancy", "the court hearing", "housing", "feedback from their manager",
        "a new relationship", "the pregnancy", "retirement", "their father's death",
        "a performance review", "the school run", "a dental appointment", "the probation period",
        "a family birthday", "the tax return", "their sister's visit", "the dog's illness",
        "a presentation at work", "the divorce settlement", "night shifts",
        "the custody arrangement",
        "a missed deadline", "the neighbours' noise", "their son's exams", "a trip abroad",
        "the funeral", "their partner's drinking", "the fertility treatment", "a car accident",
        "the building works", "the promotion", "an online dating match", "the inquest",
    ),
    "person": (
        "partner", "mother", "father", "manager", "sister", "friend", "daughter", "son",
        "brother", "colleague", "GP", "ex-partner", "grandmother", "flatmate", "best friend",
        "in-laws", "neighbour", "stepfather", "aunt", "team leader", "mother-in-law", "cousin",
        "stepmother", "uncle", "grandfather", "landlord", "tutor", "coach", "sponsor",
        "support worker", "health visitor", "line manager", "godmother", "lodger", "nephew",
    ),
    "technique": (
        "cognitive restructuring", "behavioural activation", "thought records", "grounding",
        "psychoeducation", "problem solving", "exposure planning", "sleep hygiene",
        "relaxation training", "mindfulness practice", "activity scheduling",
        "behavioural experiments", "values clarification", "worry time", "chain analysis",
        "safety planning", "compassion-focused imagery", "assertiveness practice",
        "motivational interviewing", "relapse prevention planning", "emotion regulation skills",
        "imagery rescripting", "acceptance strategies", "a cost-benefit analysis",
        "trauma narrative work", "an interpersonal inventory", "stimulus control",
        "paced breathing", "distress tolerance skills", "a downward arrow", "role play",
        "cognitive defusion", "a responsibility pie chart", "surveys", "attention training",
        "self-monitoring", "habit reversal", "urge surfing", "a compassionate letter",
        "a continuum technique", "historical testing", "theory A versus theory B",
    ),
    "homework": (
        "a daily thought record", "three valued activities", "a worry diary", "a sleep diary",
        "the grounding exercise twice daily", "the breathing practice", "an activity schedule",
        "a behavioural experiment at work", "reading the anxiety handout", "a graded walk",
        "contacting a friend", "the values worksheet", "noticing self-critical thoughts",
        "an exposure task", "a mood diary", "the problem-solving worksheet", "a gratitude log",
        "the body scan recording", "one assertive request", "a pleasant events diary",
        "the relapse prevention blueprint", "a compassionate letter to themselves",
        "the worry postponement task", "practising the safety plan", "a survey of friends",
    ),
    "affect": (
        "congruent with content", "anxious", "reactive", "constricted", "tearful at times",
        "bright", "flat", "euthymic", "guarded", "labile", "irritable", "warm", "subdued",
    ),
    "appearance": (
        "appropriately dressed", "casually dressed", "well groomed", "tired-looking",
        "smartly dressed after work", "dishevelled", "wearing gym clothes", "in a work uniform",
    ),
    "engagement": (
        "engaged well", "participated actively", "was reflective", "was initially guarded",
        "found it hard to stay on topic", "was talkative", "was quieter than usual",
        "brought a written list of topics", "was keen to start", "was hesitant",
    ),
    "progress": (
        "steady progress", "some progress", "good progress", "limited progress", "mixed progress",
        "a setback", "considerable progress", "little change", "early progress",
    ),
    "thought": (
        "I'm going to fail", "they think I'm useless", "something bad will happen",
        "I can't cope", "it's all my fault", "I'm a burden", "I'll be rejected",
        "I'm having a heart attack", "I must not make mistakes", "people will notice",
        "I'm losing control", "nothing will change", "I should be over this by now",
        "I'm not good enough", "if I relax something will go wrong", "I'll be alone forever",
        "they are talking about me", "I can't trust anyone", "I'm going mad",
    ),
    "place": (
        "the supermarket", "the office", "the school gate", "the bus", "the gym", "the park",
        "their parents' house", "the hospital", "a café", "the train station", "the library",
        "the pub", "church", "the shopping centre", "the motorway", "the cinema", "the dentist",
        "the canteen", "the swimming pool", "the high street", "the lift", "the underground",
        "the hairdresser", "a restaurant", "the allotment", "the football ground",
    ),
    "detail": (
        "garden", "dog", "car", "phone", "laptop", "holiday", "birthday", "wedding", "exam",
        "interview", "kitchen", "mortgage", "diet", "bicycle", "choir", "allotment", "cat",
        "football", "painting", "piano", "volunteering", "podcast", "novel", "marathon",
        "knitting", "caravan", "swimming", "yoga", "camping", "pottery", "chess", "baking",
        "photography", "fishing", "running club", "book group", "climbing", "quiz night",
        "crossword", "gardening course", "language class", "dance class", "pilates",
        "night class", "sourdough", "jigsaw", "motorbike", "guitar", "birdwatching",
        "orienteering", "woodwork", "embroidery", "calligraphy", "beekeeping", "bell ringing",
    ),
    "diagnosis": (
        "generalised anxiety disorder", "moderate depression", "social anxiety",
        "panic disorder", "PTSD", "OCD", "adjustment difficulties", "health anxiety",
        "recurrent depression", "insomnia", "complex grief", "specific phobia",
        "low self-esteem", "perinatal depression", "body dysmorphic concerns",
    ),
    "maintain": (
        "avoidance", "safety behaviours", "rumination", "reassurance seeking",
        "self-focused attention", "withdrawal from activities", "perfectionistic standards",
        "unhelpful beliefs about worry", "post-event processing", "checking",
        "thought suppression", "low activity levels", "people pleasing", "overworking",
    ),
    "goal": (
        "returning to work full time", "sleeping through the night",
        "going to the supermarket alone",
        "reducing worry to under an hour a day", "reconnecting with friends",
        "managing panic without leaving", "setting boundaries with family",
        "travelling by train again", "cutting down on alcohol", "feeling confident at work",
        "spending less time checking", "enjoying weekends again", "speaking up in meetings",
        "grieving without avoiding reminders", "driving on the motorway",
    ),
    "risk": (
        "no current suicidal ideation, intent or plan",
        "passive thoughts of not wanting to be here, no intent or plan; safety plan reviewed",
        "no self-harm since last session",
        "protective factors include family and pets", "no risk to others identified",
        "occasional fleeting thoughts, no plan; crisis numbers provided",
    ),
}

# Per-slot Zipf exponents: templates are steep (a few phrasings dominate), the tail is gentle.
_EXPONENT = {"tail": 1.0}
DEFAULT_EXPONENT = 1.1

# -- sentence templates, by role ------------------------------------------------------------------
# Slots: {name} is the client's first name; {ors}, {ors_prev}, {srs}, {number} come from the
# session; every other slot is drawn from VOCAB (a trailing digit makes a second draw: {emotion2}).

TEMPLATES: dict[str, tuple[str, ...]] = {
    "report": (
        "Client reported feeling {emotion} for most of the week, mainly in relation to "
        "{situation}.",
        "{name} described {symptom} that had got worse after {situation}.",
        "Client said {who} had been supportive and that this helped with {symptom}.",
        "They noticed the thought \"{thought}\" when {situation} came up, and rated their "
        "belief in it at {pct}%.",
        "Client described a difficult conversation with {who} about {situation}.",
        "Sleep was reported as {sleep}; client estimated {hours} hours a night.",
        "Client reported completing {homework} on {days} of seven days.",
        "Client had not managed {homework}, explaining that {situation} had taken priority.",
        "They mentioned the {detail} and a visit to {tail} with {who}.",
        "Client spoke about {detail} at {place} and said it was the first time in weeks they "
        "had enjoyed something.",
        "Client reported that {symptom} was most noticeable at {place}, especially in the "
        "evenings.",
        "{name} said the week had been {week}, with {symptom} on most days.",
        "Client described avoiding {place} because of {symptom}.",
        "Client reported {units} units of alcohol over the week, {more_less} last week.",
        "They said {who} had noticed a change and commented on it.",
        "Client brought up {situation} again and said they felt {emotion} about {tail}.",
        "{name} talked about {tail}, the {detail} they had started with their {person2}.",
        "Client described a good day at {place} followed by {symptom} the next morning.",
        "At work, the {tail} project and a meeting with {tail2} from {tail3} had been stressful.",
        "Client mentioned {tail}, a friend from the {detail}, and plans to visit {tail2} in the "
        "spring.",
        "The family spent the weekend at {tail}; {who} drove over from {tail2}.",
        "Client described the move to {tail} Street and a new job at {tail2}.",
        "They walked {tail}, the dog, along {tail2} Lane most mornings, which helped with "
        "{symptom}.",
        "Client has been reading about {tail} and {tail2} and found it {difficulty}.",
        "{pname} had stayed over at the weekend, which client found {difficulty}.",
        "Client said {pname} and {pname2} had argued again about {situation}.",
        "Client started a new medication, {tail}, prescribed by the GP at {tail2} surgery.",
    ),
    "observe": (
        "Client attended on time, {appearance}; affect {affect}.",
        "ORS total {ors} (previous {ors_prev}); SRS total {srs}.",
        "Client {engagement} throughout the session.",
        "Speech was normal in rate and volume; thought process was goal directed.",
        "Eye contact was {eye}; client appeared {emotion} when discussing {situation}.",
        "No evidence of psychotic features; insight and judgement intact.",
        "Client was tearful when talking about {who}.",
        "Client arrived {minutes} minutes late, citing problems with {place}.",
        "Session held {medium}; client said the arrangement suited them.",
    ),
    "assessment": (
        "Presentation remains consistent with {diagnosis}, with {symptom} maintained by "
        "{maintain}.",
        "Client is making {progress} toward the goal of {goal}.",
        "{symptom_cap} appears to be maintained by {maintain} and avoidance of {place}.",
        "Risk reviewed: {risk}.",
        "ORS {ors} is {band} the clinical cutoff of 25, and {trend} since the last session.",
        "The alliance appears strong; client rated the session {srs} on the SRS.",
        "Formulation updated to include the role of {maintain} and {maintain2}.",
        "Client's understanding of the link between {symptom} and {maintain} is improving.",
        "{progress_cap} this session; {symptom} less prominent than in previous weeks.",
        "Client is ambivalent about {technique} but willing to experiment.",
    ),
    "intervention": (
        "Introduced {technique} using the example of {situation}.",
        "Reviewed {homework} and explored barriers to completing it.",
        "Used {technique} to examine the thought \"{thought}\".",
        "Practised {technique} in session; SUDS {suds} before and {suds2} after.",
        "Provided psychoeducation about {symptom} and the vicious cycle of {maintain}.",
        "Explored the pattern with {who} using a maintenance cycle diagram.",
        "Validated client's {emotion} feelings about {situation} and used {technique}.",
        "Continued {technique}, focusing on {situation}.",
        "Set up a behavioural experiment to test \"{thought}\" at {place}.",
        "Reviewed the week using the ORS and discussed the drop in the {ors_item} item.",
        "Role-played a conversation with {who} about {situation}.",
        "Mapped a recent episode at {tail} onto the formulation, including the part played by "
        "{pname}.",
    ),
    "response": (
        "Client responded well to {technique} and generated an alternative thought.",
        "Client found {technique} {difficulty} but agreed to try it again.",
        "Client was engaged and identified {days} examples from the past week.",
        "Client expressed {emotion} feelings about the plan but agreed to go ahead.",
        "By the end of the session client reported feeling {emotion2}.",
        "Belief in \"{thought}\" dropped from {pct}% to {pct2}%.",
        "Client said the session was helpful, particularly the work on {situation}.",
    ),
    "plan": (
        "Homework: {homework}. Next session in one week.",
        "Continue {technique}; review {homework} next session.",
        "Plan to begin {technique} over the next {days} sessions.",
        "Client will contact their GP about {symptom}.",
        "Review risk and safety plan at next session.",
        "Progress letter to GP after session {number2}.",
        "Next session {next_day} at the usual time.",
        "Agreed to revisit {goal} at the mid-point review.",
    ),
    "goal": (
        "Goal: {goal}.",
        "Working toward {goal}; client rated progress at {pct}%.",
        "Session focus agreed: {situation} and {symptom}.",
    ),
}

_FILLERS = {
    "sleep": ("poor", "broken", "better", "variable", "much improved", "short", "unrefreshing"),
    "week": ("difficult", "mixed", "better than expected", "busy", "quiet", "very hard",
             "up and down", "calmer"),
    "more_less": ("more than", "less than", "about the same as"),
    "eye": ("good", "reduced", "fleeting", "appropriate"),
    "medium": ("in person", "by video", "by phone"),
    "difficulty": ("difficult", "helpful", "awkward", "surprisingly easy", "hard to remember"),
    "band": ("below", "above"),
    "trend": ("up", "down", "unchanged"),
    "ors_item": ("individually", "interpersonally", "socially", "overall"),
    "next_day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
}

SECTIONS: dict[str, tuple[tuple[str, str, tuple[str, ...], float], ...]] = {
    # template id -> (key, heading, roles, share of the note)
    "soap": (("subjective", "Subjective", ("report",), 0.40),
             ("objective", "Objective", ("observe",), 0.20),
             ("assessment", "Assessment", ("assessment",), 0.20),
             ("plan", "Plan", ("plan",), 0.20)),
    "dap": (("data", "Data", ("report", "report", "observe"), 0.50),
            ("assessment", "Assessment", ("assessment",), 0.28),
            ("plan", "Plan", ("plan",), 0.22)),
    "birp": (("behavior", "Behavior", ("report", "observe"), 0.35),
             ("intervention", "Intervention", ("intervention",), 0.25),
             ("response", "Response", ("response",), 0.22),
             ("plan", "Plan", ("plan",), 0.18)),
    "girp": (("goal", "Goal", ("goal", "report"), 0.30),
             ("intervention", "Intervention", ("intervention",), 0.28),
             ("response", "Response", ("response",), 0.24),
             ("plan", "Plan", ("plan",), 0.18)),
}
TEMPLATE_WEIGHTS = (("soap", 0.45), ("dap", 0.25), ("birp", 0.18), ("girp", 0.12))

FEARS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("contamination", ("touching the kitchen bin", "using a public toilet", "shaking hands",
                       "touching a door handle in town", "eating without washing hands")),
    ("driving on the motorway", ("driving round the block", "a dual carriageway at quiet times",
                                 "one junction of the motorway", "the motorway at rush hour")),
    ("social evaluation", ("asking a shop assistant a question", "speaking in a team meeting",
                           "eating in the canteen", "giving a short presentation")),
    ("spiders", ("looking at a photo of a spider", "a spider in a jar across the room",
                 "holding the jar", "letting a small spider walk on the table")),
    ("panic sensations", ("spinning in a chair", "running on the spot", "breathing through a "
                          "straw", "a hot crowded room")),
    ("crowded shops", ("the corner shop", "the supermarket on a weekday", "the shopping centre "
                       "on Saturday", "queuing at the busiest till")),
    ("lifts", ("standing in a lift with the door open", "one floor with the therapist",
               "three floors alone", "a crowded lift")),
    ("vomiting", ("saying the word vomit", "watching a clip of someone being sick",
                  "eating at a buffet", "being near a child with a stomach bug")),
    ("heights", ("the first-floor balcony", "the multi-storey car park", "a glass lift",
                 "the viewing platform")),
    ("health anxiety", ("not checking pulse for an hour", "reading about heart disease",
                        "skipping body checks for a day", "delaying reassurance seeking")),
)


def _zipf_cum_weights(n: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (r ** exponent) for r in range(1, n + 1)))


@dataclass
class ClientVoice:
    """One client's recurring material: their symptoms, people, places and private words."""

    name: str
    picks: dict[str, tuple[str, ...]]
    people: tuple[tuple[str, str], ...] = ()  # (role, invented first name)


class Prose:
    """Draws sentences, notes and other free text from the vocabularies with one RNG."""

    def __init__(self, rng: random.Random, tail_size: int = 30000) -> None:
        self.rng = rng
        self.vocab: dict[str, tuple[str, ...]] = dict(VOCAB)
        self.vocab["tail"] = tuple(tail_words(rng, tail_size))
        self._cum = {slot: _zipf_cum_weights(len(words), _EXPONENT.get(slot, DEFAULT_EXPONENT))
                     for slot, words in self.vocab.items()}
        self._tpl_cum = {role: _zipf_cum_weights(len(t), 0.6) for role, t in TEMPLATES.items()}

    # -- drawing -----------------------------------------------------------------------------

    def draw(self, slot: str) -> str:
        """One word or phrase for `slot`, Zipf-weighted by rank."""
        return self.rng.choices(self.vocab[slot], cum_weights=self._cum[slot])[0]

    def voice(self, name: str) -> ClientVoice:
        """A client's own material: a few favourite draws per slot, reused in their notes."""
        picks = {slot: tuple(self.draw(slot) for _ in range(count)) for slot, count in (
            ("symptom", 3), ("situation", 4), ("person", 2), ("place", 2), ("detail", 3),
            ("tail", 8), ("technique", 3), ("homework", 2), ("thought", 2), ("goal", 2),
            ("diagnosis", 1), ("maintain", 2))}
        people = tuple((self.draw("person"), first_name(self.rng))
                       for _ in range(self.rng.randint(3, 7)))
        return ClientVoice(name, picks, people)

    def _slot(self, key: str, voice: ClientVoice, session: dict[str, str]) -> str:
        if key in session:
            return session[key]
        base = key.rstrip("0123456789")
        if base.endswith("_cap"):
            return self._slot(base[:-4], voice, session).capitalize()
        if base == "name":
            return voice.name
        if base == "who":
            if voice.people and self.rng.random() < 0.8:
                role, name = self.rng.choice(voice.people)
                return f"their {role} {name}"
            return f"their {self.draw('person')}"
        if base == "pname":
            return self.rng.choice(voice.people)[1] if voice.people else voice.name
        if base in _FILLERS:
            return self.rng.choice(_FILLERS[base])
        if base in ("pct", "suds"):
            return str(self.rng.randrange(10, 95, 5))
        if base == "hours":
            return str(self.rng.randint(3, 8))
        if base == "days":
            return str(self.rng.randint(1, 7))
        if base == "units":
            return str(self.rng.randint(0, 30))
        if base == "minutes":
            return str(self.rng.randint(5, 20))
        if base in ("ors", "ors_prev"):  # sentences written outside a scored session
            return f"{self.rng.uniform(15, 34):.1f}"
        if base == "srs":
            return f"{self.rng.uniform(33, 40):.1f}"
        if base == "number":
            return str(self.rng.randint(2, 30))
        own = voice.picks.get(base)
        if own and self.rng.random() < (0.5 if base == "tail" else 0.65):
            return self.rng.choice(own)
        return self.draw(base)

    def sentence(self, role: str, voice: ClientVoice, session: dict[str, str],
                 used: set[str] | None = None) -> str:
        """One sentence of `role`, slots filled; templates in `used` are avoided if possible."""
        for _attempt in range(4):
            template = self.rng.choices(TEMPLATES[role], cum_weights=self._tpl_cum[role])[0]
            if used is None or template not in used:
                break
        if used is not None:
            used.add(template)
        rng_slots = _Slots(lambda key: self._slot(key, voice, session))
        return template.format_map(rng_slots)

    # -- whole texts -------------------------------------------------------------------------

    def note(self, template: str, voice: ClientVoice,
             session: dict[str, str]) -> tuple[str, dict[str, str]]:
        """A session note of ~1,500 characters: (plain-text body, sections by key)."""
        target = min(max(self.rng.gauss(1380, 250), 900), 2400)
        sections: dict[str, str] = {}
        used: set[str] = set()
        for key, _heading, roles, share in SECTIONS[template]:
            want = target * share
            parts: list[str] = []
            length = 0
            i = 0
            while length < want or not parts:
                text = self.sentence(roles[i % len(roles)], voice, session, used)
                parts.append(text)
                length += len(text) + 1
                i += 1
            sections[key] = " ".join(parts)
        return note_body(template, sections), sections

    def short_note(self, attendance: str, voice: ClientVoice) -> tuple[str, dict[str, str]]:
        """The brief record of a session that did not happen."""
        if attendance == "cancelled":
            text = (f"Session cancelled by client ({self.rng.choice(_CANCEL_REASONS)}). "
                    f"Rescheduled for next week. {self.sentence('plan', voice, {})}")
        else:
            text = ("Client did not attend and did not make contact. Left a voicemail and sent "
                    "a text offering the next available appointment. Risk reviewed: "
                    f"{self.draw('risk')}.")
        return text, {"summary": text}

    def paragraph(self, roles: tuple[str, ...], voice: ClientVoice, n: int) -> str:
        """A few sentences of the given roles (process notes, plans, letters)."""
        return " ".join(self.sentence(roles[i % len(roles)], voice, {}) for i in range(n))


_CANCEL_REASONS = ("illness", "childcare", "work commitments", "car trouble", "a family "
                   "emergency", "travel", "a clash with a hospital appointment")


class _Slots(dict):  # type: ignore[type-arg]
    """A format_map mapping that draws a value the first time each slot is asked for."""

    def __init__(self, fill: object) -> None:
        super().__init__()
        self._fill = fill

    def __missing__(self, key: str) -> str:
        value = self._fill(key)  # type: ignore[operator]
        self[key] = value
        return value


def note_body(template: str, sections: dict[str, str]) -> str:
    """The plain text stored in notes.body: each section under its heading."""
    headings = {key: heading for key, heading, _roles, _share in SECTIONS[template]}
    return "\n\n".join(f"{headings.get(key, key.title())}\n{text}"
                       for key, text in sections.items())
