"""A labelled set for the privacy check, every passage written for this project.

RISKY passages may identify a client or another person, or carry crisis
language; each names the kinds of flag that would catch it (any one is
enough). ORDINARY passages are the everyday stuff of answers (the therapist's
own general experience, generic people, sources cited by name) and should
raise no flag at all.

The sets were written in turns, each before the rules had seen it, and the
figures the rules got at that first look are the honest ones for new text:

    set         risky  ordinary  first look: caught / false alarms
    RISKY etc.     40        40  (the rules were written on it)
    HELD_OUT       20        20  75% / 0%
    UNSEEN         15        15  60% / 0%
    UNSEEN_2       10        10  70% / 0%

After each look the rules were widened for the kinds of passage missed (not
for the sentences themselves), so every set now also serves as a regression
set; bench/privacy_check.py prints the current figures.
"""

RISKY: list[tuple[str, set[str]]] = [
    ("Last winter a client described a fight with her sister that had left her unable to sleep.", {"client-detail"}),
    ("My client Dana once told me she felt guilty every time she sat down.", {"client-detail", "person-name"}),
    ("A client of mine, a nurse in her forties, cried when I suggested she take a lunch break.", {"client-detail", "age"}),
    ("One patient with bipolar disorder taught me more about rest than any textbook.", {"client-detail"}),
    ("A young man I worked with in Kelowna had not taken a day off in three years.", {"client-detail", "place"}),
    ("I remember a 34-year-old teacher who believed resting meant she was lazy.", {"age"}),
    ("Marcus told me that empathy felt like drowning in other people's feelings.", {"person-name"}),
    ("She was 16 when her father left, and she has been looking after everyone since.", {"age"}),
    ("A woman I see works at the Mercy Hospital emergency department on night shifts.", {"client-detail", "place"}),
    ("Two weeks ago a client told me her husband had started drinking again.", {"client-detail"}),
    ("My patient, a retired firefighter, still wakes at 5 a.m. every day.", {"client-detail"}),
    ("He had been thinking about suicide for months before he told anyone.", {"crisis"}),
    ("Some of the people I work with have survived abuse, and rest can feel unsafe to them.", {"crisis"}),
    ("When she started cutting herself again, her mother finally called me.", {"crisis"}),
    ("One of my clients lost his brother in a car accident last spring.", {"client-detail"}),
    ("A client from Sudbury who runs a small bakery asked me whether rest was a luxury.", {"client-detail", "place"}),
    ("In session last Tuesday, a mother of three told me she hides in the car for ten minutes to breathe.", {"client-detail", "date"}),
    ("My neighbour Priya, 82, walks to the market every morning and calls it her medicine.", {"person-name", "age"}),
    ("A teenager I see, diagnosed with anorexia, asked if rest counts when your mind never stops.", {"client-detail"}),
    ("On March 3rd she finally told her boss she needed time off.", {"date"}),
    ("A couple I worked with had not had a real conversation since their son was born.", {"client-detail"}),
    ("Someone I work with, an accountant, schedules rest like a meeting and then cancels it.", {"client-detail"}),
    ("I think of Sofia, who said that being heard was the first rest she had known in years.", {"person-name"}),
    ("My client's daughter had overdosed the week before our first session.", {"crisis", "client-detail"}),
    ("He moved here from Winnipeg after his divorce and did not know a single person.", {"place"}),
    ("A man in my practice who works for Hydro One says he only rests when he is sick.", {"client-detail", "place"}),
    ("She told me her ex-husband used to hit her again and again when he drank.", {"crisis"}),
    ("This client, a physician, had never once said no to an extra shift.", {"client-detail"}),
    ("A patient in her late sixties told me she rests for the first time now that her husband has died.", {"client-detail", "age"}),
    ("Jamal came to his first session saying he wanted to die, and today he laughs at my jokes.", {"crisis", "person-name"}),
    ("A student I saw at the University of Guelph slept in the library for a week.", {"client-detail", "place"}),
    ("Her son is 12 and she is terrified he will inherit her anxiety.", {"age"}),
    ("A client told me that after her miscarriage she could not stop cleaning the house.", {"client-detail"}),
    ("Self-harm is often a way of resting from unbearable feelings, however strange that sounds.", {"crisis"}),
    ("My friend Leo, a chef, says his only rest is the walk home after a double shift.", {"person-name"}),
    ("An elderly woman I saw this morning said empathy is what her late husband gave her every day.", {"client-detail"}),
    ("He told me he had been sexually assaulted at a party in his first year at Dalhousie.", {"crisis", "place"}),
    ("A father I work with drives a truck between Calgary and Vancouver and sleeps in rest stops.", {"client-detail", "place"}),
    ("Last summer a client with PTSD told me the loudest thing in her life was silence.", {"client-detail"}),
    ("Ravi, who manages a busy restaurant, told me he rests by chopping onions.", {"person-name"}),
]

ORDINARY: list[str] = [
    "Rest is not a reward for finishing everything. It is part of the work itself.",
    "Clients often tell me they will rest once life calms down, and life rarely does.",
    "Many of my clients feel guilty when they stop, as though their worth were measured in output.",
    "Empathy is the willingness to stay with someone in a feeling without rushing to fix it.",
    "As Carl Rogers wrote, the curious paradox is that when I accept myself just as I am, then I can change.",
    "Brené Brown calls vulnerability the birthplace of connection, and I see that every week in my work.",
    "When I was 19 I thought rest was for people who had given up.",
    "I grew up in a family where sitting still was suspicious.",
    "People sometimes ask me whether empathy can be learned. I believe it can, with practice and patience.",
    "In sessions I invite people to try one small experiment: stop a task before it is perfect.",
    "A parent who never rests teaches a child that rest is not allowed.",
    "Sleep helps, but so does a walk without headphones, or sitting with a friend without needing to fix anything.",
    "We harness empathy by listening longer than feels comfortable.",
    "Most people I meet have never been taught how to rest; they were taught how to work.",
    "Viktor Frankl reminds us that between stimulus and response there is a space.",
    "On an ordinary Tuesday, calm might be ten quiet minutes with a cup of tea.",
    "My own practice is to take the first ten minutes of each morning for nothing at all.",
    "Therapists need rest too. I book my holidays before I book anything else.",
    "Empathy without boundaries turns into exhaustion, and exhaustion helps nobody.",
    "Clients who care for others often find it hardest to receive care.",
    "Kristin Neff's work on self-compassion changed how I talk about rest.",
    "The body keeps asking for rest long before the mind gives permission.",
    "I often tell clients that rest is a skill, not a personality trait.",
    "Some weeks I am better at this than others, and that is part of being human.",
    "Empathy is not agreeing with someone. It is understanding why it makes sense to them.",
    "I learned about rest from my grandmother, who napped every afternoon without apology.",
    "When someone tells me they are too busy to rest, I ask what the busyness protects them from.",
    "Children rest naturally; adults have to relearn it.",
    "The clients I work with are experts in their own lives, and I try to remember that.",
    "In the spring I like to walk by the river before work.",
    "A good question can be more restful than a good answer.",
    "Harnessing empathy means noticing our own reactions first, then turning toward the other person.",
    "Years of training taught me techniques; years of practice taught me to listen.",
    "Rest is also saying no, which many of us find harder than any workout.",
    "I believe empathy grows in the small moments: a pause, a nod, a question asked gently.",
    "My husband and I keep Sunday mornings free of screens.",
    "Many people carry the belief that stopping makes them lazy.",
    "Thich Nhat Hanh taught that walking can be a kind of rest.",
    "Everyone deserves to be heard without being judged.",
    "If you find rest hard, start with five minutes and be kind to yourself about the rest.",
]

HELD_OUT_RISKY: list[tuple[str, set[str]]] = [
    ("A client who teaches grade four told me she marks papers in the bath so it counts as rest.", {"client-detail"}),
    ("Last week a patient of mine said his wife thinks therapy is a waste of money.", {"client-detail"}),
    ("Elena, a dancer I have known for years, rests by lying on the studio floor.", {"person-name"}),
    ("My client Tom, 47, has been on sick leave since the plant in Oshawa closed.", {"client-detail", "person-name"}),
    ("One woman I counselled after her stroke said empathy from strangers was harder to bear than pity.", {"client-detail"}),
    ("He confided that he had thought about ending his life the night before our session.", {"crisis"}),
    ("A boy I see, barely eleven, asked whether grown-ups ever feel tired of being sad.", {"client-detail", "age"}),
    ("She is 29, works as a paramedic, and has not slept a full night since her twins were born.", {"age"}),
    ("My client's partner has multiple sclerosis and she has become his full-time carer.", {"client-detail"}),
    ("In session yesterday a man told me his father had beaten him as a child.", {"client-detail", "crisis"}),
    ("I worked with a pilot from Thunder Bay who could only rest in the air.", {"place"}),
    ("The survivors of domestic violence I work with often cannot rest in their own homes.", {"crisis"}),
    ("Aisha said she only learned to rest after her mother died in 2019.", {"person-name", "date"}),
    ("A client living near Lake Louise told me the mountains were the only thing that quieted her.", {"client-detail", "place"}),
    ("This patient, a lawyer at a Bay Street firm, billed eighty hours a week for a decade.", {"client-detail"}),
    ("A father of two I saw in January told me he had not cried since his brother's funeral.", {"client-detail", "date"}),
    ("Her daughter, who is 15, has started refusing to go to school.", {"age"}),
    ("A young woman I work with self-harms when she feels she has rested too long.", {"crisis", "client-detail"}),
    ("My colleague Nadia runs a grief group on Thursdays at St. Joseph's.", {"person-name", "place"}),
    ("Over Christmas a client told me she had been sober for exactly one year.", {"client-detail"}),
]
HELD_OUT_ORDINARY: list[str] = [
    "Rest, for me, is the moment I stop performing for anyone.",
    "Clients usually arrive exhausted, and the first thing we do together is slow down.",
    "I ask people what their body would choose if it had a vote.",
    "As Irvin Yalom put it, it is the relationship that heals.",
    "Empathy asks us to imagine, not to assume.",
    "When I trained as a therapist I thought empathy was a technique; now I think it is a stance.",
    "Many therapists I know are terrible at resting, myself included.",
    "Burnout is common among helpers, and it creeps in quietly.",
    "Try putting rest in your calendar the way you would a dentist appointment.",
    "A mother who rests shows her children that care includes herself.",
    "Every winter I take a week away from the city with no phone.",
    "Gabor Maté writes that the body says no when we cannot.",
    "People who grew up in chaos may experience quiet as danger at first.",
    "Sometimes the most empathic thing is to say nothing at all.",
    "Rest can be active: gardening, drawing, playing music badly and loving it.",
    "My clients teach me every day that resilience looks different for everyone.",
    "Our culture praises productivity and quietly punishes rest.",
    "I see couples who have forgotten how to be bored together.",
    "Listening with empathy means letting someone finish their sentence.",
    "Give yourself permission to rest before you are empty, not after.",
]

# Written last, measured once, never used to change the rules (see the module docstring).
UNSEEN_RISKY: list[tuple[str, set[str]]] = [
    ("My client Renée, who drives a school bus, says the only rest she gets is the red lights.", {"client-detail", "person-name"}),
    ("A grandmother I see twice a month is raising her three grandchildren since her daughter went to prison.", {"client-detail"}),
    ("Last month one patient of mine, a widower, told me he still sets two places at the table.", {"client-detail"}),
    ("A client in her early thirties described empathy as the first time anyone asked about her childhood.", {"client-detail", "age"}),
    ("The young man I worked with at the shelter on Dundas Street had slept outside for two winters.", {"client-detail", "place"}),
    ("She was only 14 when she started skipping meals to feel in control.", {"age"}),
    ("Theo, a client of mine, plays hockey every Thursday and calls it his therapy.", {"person-name", "client-detail"}),
    ("He admitted he had thought about killing himself after the layoff.", {"crisis"}),
    ("A mother I counsel, a teacher at a small rural school, has not taken a sick day in nine years.", {"client-detail"}),
    ("My patient's husband was diagnosed with dementia in the spring, and she has stopped seeing her friends.", {"client-detail"}),
    ("One client told me about the night her partner pushed her down the stairs.", {"client-detail", "crisis"}),
    ("A woman I see from Moncton said the ocean is the only thing that listens without interrupting.", {"client-detail", "place"}),
    ("Last Friday a teenage client told me her parents are divorcing and she blames herself.", {"client-detail"}),
    ("Kenji, who is 58 and recently retired, told me he does not know who he is without work.", {"person-name", "age"}),
    ("Many of the veterans I work with have survived things no one should, including sexual assault.", {"crisis"}),
]
UNSEEN_ORDINARY: list[str] = [
    "Rest is a conversation between the body and the calendar, and the calendar usually wins.",
    "Clients sometimes arrive apologising for needing help, as if care had to be earned.",
    "Empathy is a muscle: it tires, it recovers, and it grows with use.",
    "As Pema Chödrön says, we can learn to stay with discomfort without running away.",
    "When I started practising, I measured a good day by how many people I saw.",
    "In my family, resting was something you did only when you were ill.",
    "Most of us know how to be kind to a friend and forget to be kind to ourselves.",
    "A child who is listened to learns that their feelings make sense.",
    "I like to think of empathy as making room at the table for someone else's story.",
    "The therapists on our team disagree about many things, but not about the value of rest.",
    "Sometimes the best thing I can offer is a slower pace.",
    "People who care for ageing parents often carry a tiredness no holiday fixes.",
    "Every Friday afternoon I close my laptop and walk to the lake.",
    "Donald Winnicott wrote about the good-enough parent, and I think there is a good-enough rest too.",
    "We harness empathy when we let curiosity lead and judgement follow, far behind.",
]

# Written after the rules were changed for what UNSEEN_* showed; measured once.
UNSEEN_2_RISKY: list[tuple[str, set[str]]] = [
    ("A retired pilot I see every other week still dreams he is landing in fog.", {"client-detail"}),
    ("My client Aurélie, 23, is finishing a nursing degree while working nights.", {"client-detail", "person-name", "age"}),
    ("One woman I worked with in Saskatoon lost her twin to cancer the year before.", {"client-detail", "place"}),
    ("Yesterday a patient told me his son has stopped speaking to him.", {"client-detail"}),
    ("She confided that her stepfather abused her for years.", {"crisis"}),
    ("Omar, my client, runs a restaurant and has not had a weekend off since 2015.", {"client-detail", "person-name"}),
    ("A nurse I counsel at the Royal Columbian told me she cries in the supply room.", {"client-detail", "place"}),
    ("He is 41, a father of four, and works two jobs.", {"age"}),
    ("A client told me her brother took his own life last spring.", {"client-detail", "crisis"}),
    ("The teenage girl I see on Tuesdays says her phone is the only place she feels seen.", {"client-detail"}),
]
UNSEEN_2_ORDINARY: list[str] = [
    "Rest is not laziness; it is maintenance.",
    "Clients often describe empathy as feeling less alone.",
    "I tell people that it is fine to start small.",
    "Like Thich Nhat Hanh, I believe breathing can be a homecoming.",
    "My mornings start with a walk, whatever the weather.",
    "Parents I meet are often exhausted and ashamed of it.",
    "Empathy can be taught, but it has to be practised to stay.",
    "When we rest, we give our nervous system a chance to reset.",
    "Our team meets every Monday to support one another.",
    "Nobody can pour from an empty cup, as the saying goes.",
]


SETS = [
    ("tuning", RISKY, ORDINARY),
    ("held out", HELD_OUT_RISKY, HELD_OUT_ORDINARY),
    ("unseen", UNSEEN_RISKY, UNSEEN_ORDINARY),
    ("unseen 2", UNSEEN_2_RISKY, UNSEEN_2_ORDINARY),
]
ALL_RISKY = [case for _, risky, _ in SETS for case in risky]
ALL_ORDINARY = [text for _, _, ordinary in SETS for text in ordinary]
