#!/usr/bin/env python3
"""Writes news.jsonl, the sample corpus: short news articles in English, German and Russian, some
republished several times with the changes such copies carry, plus unrelated articles from the
same sites that share the sites' boilerplate lines. The articles are fictional and were written for
ditto. Run it from anywhere; it writes next to itself. Deterministic."""

import json
import os

# --- originals -------------------------------------------------------------------------------

BIKE = """The city council on Tuesday approved a plan to build 42 kilometres of protected bike lanes over the next three years, the largest investment in cycling the city has ever made.

The project will cost $4.2 million and is paid for by a regional transport grant and by the parking fees collected downtown. Work on the first section, along Harbour Street between the central station and the university, is due to begin in April.

Council member Dana Ortiz, who led the proposal, said the lanes would make the daily ride safer for the roughly 9,000 residents who already cycle to work. "People have asked for this for ten years," she said after the vote, which passed by seven votes to two.

Local shop owners had worried about losing parking spaces. The final plan keeps most of the spaces on Harbour Street and moves delivery zones to side streets, a compromise the merchants' association said it could accept."""

HEAT = """Power demand in the region reached a record on Monday as temperatures climbed above 38 degrees for the fourth day in a row, the grid operator said.

Consumption peaked at 11,400 megawatts shortly after six in the evening, when offices were still cooling their buildings and people came home and switched on air conditioners. The previous record, set two summers ago, was 10,900 megawatts.

The operator asked households to avoid running washing machines and dishwashers between four and nine in the evening until the heat breaks. It said there was enough capacity to meet demand but that a failure at one of the large plants could force short rolling outages.

Forecasters expect the heat to ease on Thursday, when a band of storms is due to move in from the west, bringing rain and temperatures closer to the seasonal average."""

BEES = """Researchers at the state university have found that wild bees visit city gardens far more often than farmland, a result that surprised the team and may change how towns plan their parks.

Over two summers the group counted bees at 120 sites, from allotments and rooftop gardens to wheat and rapeseed fields outside the city. Gardens with a mix of flowering plants drew on average three times as many wild bee species as the fields.

"We expected the countryside to win easily," said ecologist Maren Holt, who led the study. "Instead the most diverse places were small gardens where people let some corners grow wild." The team thinks the long flowering season in gardens, from early spring crocuses to late asters, explains much of the difference.

The findings were published this week in a journal of applied ecology. The researchers now want to test whether planting strips of wildflowers along farm roads can bring some of that diversity back to the fields."""

STRIKE = """Train drivers will strike for 48 hours from Friday morning after talks with the national rail operator broke down late on Wednesday, the drivers' union announced.

The union is asking for a pay rise of 8 percent and for shorter shifts on night routes. The operator had offered 4.5 percent over two years and said it could not afford more without cutting services or raising fares.

Long-distance and regional trains are expected to be cancelled almost entirely, while some suburban lines will run a reduced timetable staffed by managers. The operator advised passengers to postpone trips where possible and said tickets for the strike days would be refunded or could be used later.

It is the third strike this year. Business groups warned that another stoppage would hurt factories that depend on rail freight for parts and raw materials."""

HOCHWASSER = """Nach tagelangem Regen ist der Pegel des Flusses am Mittwoch auf 7,1 Meter gestiegen, den höchsten Stand seit zwölf Jahren. Die Stadt hat für die Altstadt und zwei Viertel am Ufer Hochwasseralarm ausgelöst.

Feuerwehr und Technisches Hilfswerk haben in der Nacht mehr als 30.000 Sandsäcke gefüllt und entlang der Uferpromenade aufgeschichtet. Rund 400 Helferinnen und Helfer sind im Einsatz, darunter viele Freiwillige aus den Nachbarorten.

Bürgermeisterin Katrin Vogel rief die Bewohner der betroffenen Straßen auf, Keller zu räumen und Autos aus den Tiefgaragen zu holen. Schulen in der Altstadt bleiben bis Freitag geschlossen.

Der Wetterdienst erwartet, dass der Regen am Donnerstag nachlässt. Der Scheitel der Flutwelle werde aber erst am Freitagmorgen erreicht, weil das Wasser aus den Bergen noch Zeit brauche, bis es die Stadt erreicht."""

TRAM = """Die neue Straßenbahnlinie zwischen dem Hauptbahnhof und dem Klinikum soll im Dezember in Betrieb gehen, ein halbes Jahr später als geplant. Das teilten die Verkehrsbetriebe am Montag mit.

Grund für die Verzögerung seien Lieferprobleme bei den Weichen und ein Fund von Leitungen aus dem Krieg unter der Bahnhofstraße, die erst verlegt werden mussten. Die Kosten steigen dadurch von 85 auf 92 Millionen Euro.

Die Linie ist 6,4 Kilometer lang und hat elf Haltestellen. Die Bahnen sollen tagsüber alle zehn Minuten fahren und die Fahrzeit zum Klinikum auf 18 Minuten verkürzen. Heute brauchen Busse dafür zu Stoßzeiten oft mehr als eine halbe Stunde.

Anwohner der Bahnhofstraße hatten sich über Lärm und gesperrte Einfahrten beschwert. Die Verkehrsbetriebe versprechen, die letzten Bauarbeiten nachts nur noch an wenigen Tagen durchzuführen."""

METRO = """В среду в городе открылась новая линия метро длиной 14 километров с семью станциями. Первый поезд отправился со станции «Речной вокзал» в шесть утра.

Строительство продолжалось пять лет и обошлось бюджету в 96 миллиардов рублей. По оценкам городских властей, новой линией будут ежедневно пользоваться около 250 тысяч пассажиров, а время поездки из северных районов в центр сократится почти вдвое.

Мэр города, открывая движение, поблагодарил строителей и жителей, которые несколько лет терпели перекрытые улицы и шум. Он пообещал, что до конца года рядом со станциями появятся новые автобусные маршруты и перехватывающие парковки.

Жители северных районов встретили открытие с радостью, но многие жалуются, что на двух станциях пока работает только один выход, из-за чего в час пик образуются очереди."""

HARVEST = """Аграрии области завершили уборку зерновых и собрали рекордный урожай — 3,8 миллиона тонн, что на 12 процентов больше, чем в прошлом году. Об этом сообщило региональное министерство сельского хозяйства.

Особенно хорошо уродилась пшеница: средняя урожайность составила 41 центнер с гектара. Специалисты объясняют успех тёплой весной и дождями в июне, которые пришлись как раз на время налива зерна.

Вместе с тем фермеры опасаются, что большой урожай приведёт к падению закупочных цен. Элеваторы уже заполнены, и часть зерна приходится хранить под навесами. Министерство обещает помочь с вывозом зерна по железной дороге в порты."""

# Unrelated articles of the same sites, which share each site's boilerplate lines.
EN_OTHER = [
    """The public library will open on Sundays from next month, after the city found money to pay for extra staff. Librarians said weekend visits had doubled since the reading room was renovated last year, and families in particular had asked for longer hours. The Sunday opening will run from noon to five, with a story hour for children at two.""",
    """A pair of peregrine falcons has nested on the tower of the old cathedral for the first time in decades. Bird watchers have set up a camera so that anyone can follow the chicks online. The cathedral has closed the tower's viewing platform until the young birds leave the nest, probably in late June.""",
    """The marathon on Sunday will close several streets in the city centre between seven in the morning and two in the afternoon. Organisers expect more than 6,000 runners. Buses will take detours, and residents along the route are asked to move their cars the evening before.""",
]
DE_OTHER = [
    """Das städtische Freibad öffnet in diesem Jahr schon Anfang Mai. Nach der Sanierung der Becken und der Umkleiden sei alles bereit, teilte die Bäderverwaltung mit. Die Preise für Jahreskarten bleiben unverändert, für Familien gibt es erstmals eine ermäßigte Saisonkarte.""",
    """Auf dem Wochenmarkt am Rathausplatz gibt es ab sofort auch am Samstagnachmittag Stände. Die Händler hatten sich längere Öffnungszeiten gewünscht, weil viele Kunden unter der Woche keine Zeit zum Einkaufen hätten.""",
    """Die Volkshochschule bietet im Herbst zwölf neue Sprachkurse an, darunter erstmals Ukrainisch und Koreanisch. Die Anmeldung ist ab Montag im Internet und im Bürgerbüro möglich; für Studierende gibt es einen Rabatt.""",
    """Die Stadtwerke tauschen bis zum Sommer alle 4.000 Straßenlaternen gegen sparsame LED-Leuchten aus. Die Arbeiten beginnen im Norden der Stadt; nachts kann es auf einzelnen Straßen kurz dunkel bleiben.""",
    """Der Zoo hat zwei junge Schneeleoparden aus einem Partnerzoo in Finnland aufgenommen. Die Tiere sollen sich zunächst in Ruhe eingewöhnen und sind erst ab Ende des Monats für Besucher zu sehen.""",
]
RU_OTHER = [
    """В городском парке начали реконструкцию старого фонтана. Работы планируют закончить к Дню города. Вместе с фонтаном обновят освещение аллей и установят новые скамейки.""",
    """Городская библиотека запускает бесплатные курсы компьютерной грамотности для пенсионеров. Занятия будут проходить два раза в неделю, записаться можно по телефону или на сайте библиотеки.""",
    """На набережной установили двадцать новых велопарковок и пункт проката самокатов. По словам администрации района, летом здесь гуляют до пяти тысяч человек в день.""",
    """Школьники из местного лицея заняли первое место на региональной олимпиаде по робототехнике. Их робот за две минуты собрал модель моста из сорока деталей.""",
    """Театр юного зрителя закрывается на ремонт крыши до конца ноября. Спектакли пройдут на сцене Дома культуры, купленные билеты действительны.""",
]

EN_SITE = "Riverside Daily | Local news\n\n{}\n\nSubscribe to the Riverside Daily newsletter for the latest news from the city desk. Copyright 2026 Riverside Daily. All rights reserved."
DE_SITE = "Stadtanzeiger Online | Lokales\n\n{}\n\nAbonnieren Sie unseren Newsletter und verpassen Sie keine Nachricht aus der Region. Alle Rechte vorbehalten. Stadtanzeiger Online 2026."
RU_SITE = "Городские вести | Новости\n\n{}\n\nПодписывайтесь на рассылку «Городских вестей», чтобы первыми узнавать новости города. Все права защищены. Городские вести, 2026."

# --- the changes copies carry ------------------------------------------------------------------

def paragraphs(text):
    return text.split("\n\n")

def join(ps):
    return "\n\n".join(ps)

def inject(text, paragraph, at):
    ps = paragraphs(text)
    ps.insert(at, paragraph)
    return join(ps)

def truncate(text, marker=None):
    """Cuts the last sentence (or everything from marker on), as sites do that shorten a story."""
    if marker is not None:
        assert marker in text, marker
        return text[:text.index(marker)] + "."
    cut = text.rstrip().rstrip(".").rfind(". ")
    return text[:cut + 1]

def replace(text, old, new):
    assert old in text, old
    return text.replace(old, new)

PROMO_EN = "Join our Telegram channel for breaking news and exclusive stories, every day."
PROMO_DE = "Folgen Sie uns auf Telegram und erhalten Sie alle Eilmeldungen direkt aufs Handy."
PROMO_RU = "Подписывайтесь на наш канал в Телеграме, чтобы первыми узнавать главные новости."

# Lines that sites add to whatever they publish, the same across unrelated articles: a promo
# paragraph at the top, a "read more" line with its date and a bare date stamp at the bottom (the
# dates differ; digit folding makes them the same line for `ditto clean`).
READMORE_EN = "Read more: city news. {}"
READMORE_DE = "Weiterlesen: Lokales. {}"
READMORE_RU = "Читать далее: новости. {}"
DATES = ["14.03.2026 09:41", "22.07.2026 18:05", "03.06.2026 11:20", "11.09.2026 07:15", "02.02.2026 16:30",
         "18.10.2026 12:05", "29.08.2026 08:00", "05.05.2026 10:10", "27.01.2026 21:45", "30.11.2026 06:55",
         "09.04.2026 13:30", "16.12.2026 19:20"]

def site_article(template, body, promo, readmore, n):
    """An unrelated site article with the site's injected promo, "read more" and date-stamp lines."""
    date = DATES[n % len(DATES)]
    stamp = DATES[(n * 5 + 3) % len(DATES)]
    return template.format(join([promo, body, readmore.format(date) + "\n" + stamp]))

records = []

def add(id_, text):
    records.append({"id": id_, "site": id_.split("-")[0], "text": text})

# English: council bike lanes, republished four times.
add("en-bike", BIKE)
add("en-bike-promo", inject(BIKE, PROMO_EN, 2))
add("en-bike-readmore", BIKE + "\n\n" + READMORE_EN.format("14.03.2026 09:41"))
add("en-bike-figure", replace(replace(BIKE, "$4.2 million", "$4.6 million"), "roughly 9,000", "about 9,500"))
add("en-bike-short", truncate(BIKE))
# English: heat and power demand, republished twice.
add("en-heat", HEAT)
add("en-heat-wire", replace(HEAT, "the grid operator said", "the grid operator said in a statement") +
    "\n\n" + READMORE_EN.format("22.07.2026 18:05"))
add("en-heat-promo", inject(HEAT, PROMO_EN, 4))
# English: wild bees, republished three times.
add("en-bees", BEES)
add("en-bees-promo", inject(BEES, PROMO_EN, 1))
add("en-bees-reworded", replace(replace(BEES, "a result that surprised the team", "a finding that surprised the researchers"),
                                "The findings were published this week", "The study appeared on Wednesday"))
add("en-bees-short", truncate(BEES) + "\n\n" + READMORE_EN.format("03.06.2026 11:20"))
# English: train strike, republished once on another site.
add("en-strike", STRIKE)
add("en-strike-copy", replace(STRIKE, "8 percent", "8.5 percent") + "\n\nThis article first appeared on railnews.example.\n\n" +
    READMORE_EN.format("05.05.2026 10:10"))
# English: unrelated articles from one site, sharing its header and footer.
for i, body in enumerate(EN_OTHER, 1):
    add(f"en-site-{i}", site_article(EN_SITE, body, PROMO_EN, READMORE_EN, i))
# German: flood, republished three times.
add("de-hochwasser", HOCHWASSER)
add("de-hochwasser-promo", inject(HOCHWASSER, PROMO_DE, 2))
add("de-hochwasser-weiterlesen", replace(HOCHWASSER, "7,1 Meter", "7,3 Meter") +
    "\n\n" + READMORE_DE.format("11.09.2026 07:15"))
add("de-hochwasser-kurz", truncate(HOCHWASSER))
# German: tram line, republished twice.
add("de-tram", TRAM)
add("de-tram-zahlen", replace(TRAM, "von 85 auf 92 Millionen Euro", "von 85 auf 93,5 Millionen Euro"))
add("de-tram-promo", inject(TRAM, PROMO_DE, 3) + "\n\n" + READMORE_DE.format("02.02.2026 16:30"))
for i, body in enumerate(DE_OTHER, 1):
    add(f"de-site-{i}", site_article(DE_SITE, body, PROMO_DE, READMORE_DE, i + 3))
# Russian: metro line, republished three times.
add("ru-metro", METRO)
add("ru-metro-promo", inject(METRO, PROMO_RU, 1))
add("ru-metro-figure", replace(METRO, "96 миллиардов", "98 миллиардов") + "\n\n" + READMORE_RU.format("18.10.2026 12:05"))
add("ru-metro-short", truncate(METRO, ", из-за чего"))
# Russian: harvest, republished once.
add("ru-harvest", HARVEST)
add("ru-harvest-copy", replace(HARVEST, "на 12 процентов", "на 12,5 процента") + "\n\n" + READMORE_RU.format("29.08.2026 08:00"))
for i, body in enumerate(RU_OTHER, 1):
    add(f"ru-site-{i}", site_article(RU_SITE, body, PROMO_RU, READMORE_RU, i + 7))

# Originals and unrelated articles first, in a mixed order, then the copies round-robin across
# stories, as they would appear when sites pick a story up over the following days.
def story(r):
    return r["id"].split("-")[0] + "-" + r["id"].split("-")[1]
originals = [i for i, r in enumerate(records) if r["id"].count("-") == 1 or r["id"].split("-")[1] == "site"]
copies = [i for i in range(len(records)) if i not in originals]
originals.sort(key=lambda i: (i * 7919) % len(records))
stories = sorted({story(records[i]) for i in copies})
rounds = []
queue = {s: [i for i in copies if story(records[i]) == s] for s in stories}
while any(queue.values()):
    for s in stories:
        if queue[s]:
            rounds.append(queue[s].pop(0))
order = originals + rounds
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "news.jsonl"), "w", encoding="utf-8", newline="\n") as f:
    for i in order:
        f.write(json.dumps(records[i], ensure_ascii=False) + "\n")
print(f"wrote {len(records)} records")
