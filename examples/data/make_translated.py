#!/usr/bin/env python3
"""Writes news_translated.jsonl: translated copies of stories of the sample corpus (news.jsonl),
English <-> German <-> Russian, written for ditto. A translation keeps the names, figures and
links of its original; the figures are written as the target language writes them (4.2 -> 4,2,
9,000 -> 9.000 -> 9 000). One copy changed a figure; one story has too few figures to be linked;
one article is a translation of nothing in news.jsonl. Each record is {"id": ..., "site": ...,
"original": ID or null, "text": ...}; "original" is the story it translates (the expected link).
Run it from anywhere; it writes next to itself. Deterministic."""

import json
import os

RECORDS = [
    # en-bike, into German and Russian.
    ("en-bike-de", "de", "en-bike", """Der Stadtrat hat am Dienstag einen Plan gebilligt, in den kommenden drei Jahren 42 Kilometer geschützte Radwege zu bauen – die größte Investition in den Radverkehr, die die Stadt je getätigt hat.

Das Projekt kostet 4,2 Millionen Dollar und wird aus einem regionalen Verkehrszuschuss und den Parkgebühren der Innenstadt bezahlt. Die Arbeiten am ersten Abschnitt entlang der Harbour Street zwischen Hauptbahnhof und Universität sollen im April beginnen.

Ratsmitglied Dana Ortiz, die den Vorschlag eingebracht hatte, sagte, die Radwege machten den täglichen Weg für die rund 9.000 Einwohner sicherer, die schon jetzt mit dem Rad zur Arbeit fahren. „Die Leute fordern das seit zehn Jahren“, sagte sie nach der Abstimmung, die mit sieben zu zwei Stimmen ausging.

Die Geschäftsleute hatten befürchtet, Parkplätze zu verlieren. Der endgültige Plan erhält die meisten Stellplätze in der Harbour Street und verlegt die Lieferzonen in Seitenstraßen, ein Kompromiss, mit dem der Händlerverband nach eigenen Worten leben kann."""),
    ("en-bike-ru", "ru", "en-bike", """Городской совет во вторник одобрил план строительства 42 километров защищённых велодорожек в течение ближайших трёх лет — это крупнейшее вложение в велосипедную инфраструктуру за всю историю города.

Проект обойдётся в 4,2 млн долларов; его оплатят из регионального транспортного гранта и из платы за парковку в центре. Работы на первом участке, вдоль Харбор-стрит между центральным вокзалом и университетом, должны начаться в апреле.

Член совета Дана Ортис, выдвинувшая предложение, сказала, что новые дорожки сделают ежедневные поездки безопаснее для примерно 9 000 жителей, которые уже ездят на работу на велосипеде. «Люди просили об этом десять лет», — сказала она после голосования, в котором предложение поддержали семь членов совета против двух.

Владельцы местных магазинов опасались лишиться парковочных мест. Окончательный план сохраняет большую часть мест на Харбор-стрит и переносит зоны разгрузки на боковые улицы; ассоциация торговцев назвала этот компромисс приемлемым."""),
    # de-hochwasser, into English and Russian.
    ("de-hochwasser-en", "en", "de-hochwasser", """After days of rain the river rose to 7.1 metres on Wednesday, its highest level in twelve years. The city has declared a flood alert for the old town and two districts along the bank.

Firefighters and the Federal Agency for Technical Relief filled more than 30,000 sandbags overnight and stacked them along the riverside promenade. Around 400 helpers are at work, many of them volunteers from neighbouring towns.

Mayor Katrin Vogel called on residents of the affected streets to clear their cellars and move their cars out of underground garages. Schools in the old town will stay closed until Friday.

The weather service expects the rain to ease on Thursday. The crest of the flood will not arrive before Friday morning, however, because the water from the mountains still needs time to reach the city."""),
    ("de-hochwasser-ru", "ru", "de-hochwasser", """После нескольких дней дождей уровень воды в реке в среду поднялся до 7,1 метра — это самая высокая отметка за двенадцать лет. В старом городе и двух прибрежных кварталах объявлена угроза наводнения.

Пожарные и служба технической помощи за ночь наполнили более 30 000 мешков с песком и уложили их вдоль набережной. Работают около 400 человек, среди них много добровольцев из соседних посёлков.

Бургомистр Катрин Фогель призвала жителей пострадавших улиц освободить подвалы и вывести машины из подземных гаражей. Школы старого города будут закрыты до пятницы.

Синоптики ожидают, что в четверг дождь ослабнет. Однако пик паводка придёт только в пятницу утром: воде с гор нужно время, чтобы дойти до города."""),
    # ru-metro, into English and German.
    ("ru-metro-en", "en", "ru-metro", """A new 14-kilometre metro line with seven stations opened in the city on Wednesday. The first train left River Station at six in the morning.

Construction took five years and cost the budget 96 billion roubles. City officials estimate that about 250,000 passengers will use the new line every day, and that the journey from the northern districts to the centre will take almost half as long.

Opening the line, the mayor thanked the builders and the residents who had put up with closed streets and noise for several years. He promised that new bus routes and park-and-ride car parks would appear next to the stations before the end of the year.

Residents of the northern districts welcomed the opening, but many complain that only one exit is open at two of the stations so far, which causes queues at rush hour."""),
    ("ru-metro-de", "de", "ru-metro", """Am Mittwoch ist in der Stadt eine neue, 14 Kilometer lange U-Bahn-Linie mit sieben Stationen eröffnet worden. Der erste Zug fuhr um sechs Uhr morgens am Flussbahnhof ab.

Der Bau dauerte fünf Jahre und kostete den Haushalt 96 Milliarden Rubel. Nach Schätzung der Stadtverwaltung werden täglich rund 250.000 Fahrgäste die neue Linie nutzen, und die Fahrt aus den nördlichen Bezirken ins Zentrum wird sich fast halbieren.

Der Bürgermeister dankte bei der Eröffnung den Bauarbeitern und den Anwohnern, die jahrelang gesperrte Straßen und Lärm ertragen hatten. Er versprach, dass bis Jahresende neue Buslinien und Park-and-Ride-Plätze an den Stationen entstehen.

Die Bewohner der nördlichen Bezirke freuten sich über die Eröffnung, doch viele beklagen, dass an zwei Stationen bisher nur ein Ausgang geöffnet ist, wodurch sich im Berufsverkehr Schlangen bilden."""),
    # ru-harvest into English, with a changed figure: 12 percent became 15.
    ("ru-harvest-en", "en", "ru-harvest", """Farmers in the region have finished bringing in the grain and gathered a record harvest of 3.8 million tonnes, 15 percent more than last year, the regional ministry of agriculture said.

Wheat did especially well, with an average yield of 41 centners per hectare. Experts credit a warm spring and the June rains, which came just as the grain was filling.

Farmers fear, however, that the large harvest will push purchase prices down. The elevators are already full, and part of the grain has to be stored under awnings. The ministry has promised to help move the grain to the ports by rail."""),
    # en-strike into German.
    ("en-strike-de", "de", "en-strike", """Die Lokführer werden ab Freitagmorgen 48 Stunden lang streiken, nachdem die Gespräche mit der staatlichen Bahngesellschaft am späten Mittwoch gescheitert sind, teilte die Gewerkschaft mit.

Die Gewerkschaft fordert eine Lohnerhöhung von 8 Prozent und kürzere Schichten auf Nachtstrecken. Die Bahn hatte 4,5 Prozent über zwei Jahre angeboten und erklärt, mehr sei ohne Streichungen im Angebot oder höhere Fahrpreise nicht zu bezahlen.

Fern- und Regionalzüge dürften fast vollständig ausfallen, auf einigen S-Bahn-Linien soll ein Notfahrplan mit Führungskräften gefahren werden. Die Bahn riet Reisenden, Fahrten nach Möglichkeit zu verschieben; Fahrkarten für die Streiktage werden erstattet oder können später genutzt werden.

Es ist der dritte Streik in diesem Jahr. Wirtschaftsverbände warnten, ein weiterer Ausstand werde Fabriken treffen, die für Teile und Rohstoffe auf den Güterverkehr angewiesen sind."""),
    # de-tram into Russian.
    ("de-tram-ru", "ru", "de-tram", """Новая трамвайная линия между главным вокзалом и клиникой начнёт работать в декабре, на полгода позже запланированного. Об этом в понедельник сообщило транспортное предприятие.

Причиной задержки стали перебои с поставками стрелок и найденные под Банхофштрассе кабели времён войны, которые пришлось перекладывать. Из-за этого стоимость выросла с 85 до 92 миллионов евро.

Длина линии — 6,4 километра, на ней одиннадцать остановок. Днём трамваи будут ходить каждые десять минут, а время в пути до клиники сократится до 18 минут. Сейчас автобусам в часы пик нередко требуется больше получаса.

Жители Банхофштрассе жаловались на шум и перекрытые въезды. Транспортное предприятие обещает проводить оставшиеся ночные работы лишь в немногие дни."""),
    # en-bees into German: a story with one figure, too few anchors to be linked.
    ("en-bees-de", "de", "en-bees", """Forscher der staatlichen Universität haben herausgefunden, dass Wildbienen städtische Gärten weit häufiger besuchen als Ackerland – ein Ergebnis, das das Team überraschte und die Parkplanung der Städte verändern könnte.

Über zwei Sommer zählte die Gruppe Bienen an 120 Orten, von Kleingärten und Dachgärten bis zu Weizen- und Rapsfeldern vor der Stadt. Gärten mit gemischten Blühpflanzen zogen im Schnitt dreimal so viele Wildbienenarten an wie die Felder.

„Wir hatten erwartet, dass das Land klar gewinnt“, sagte die Ökologin Maren Holt, die die Studie leitete. „Stattdessen waren die vielfältigsten Orte kleine Gärten, in denen die Leute manche Ecken verwildern lassen.“"""),
    # A German article that translates nothing in news.jsonl: it must not be linked.
    ("de-flughafen", "de", None, """Der Flughafen hat im vergangenen Jahr 3,1 Millionen Fahrgäste abgefertigt, 7 Prozent mehr als 2024. Die Zahl der Starts und Landungen stieg auf 64.500.

Für 2027 plant die Betreibergesellschaft ein neues Terminal für 210 Millionen Euro. Die Landesregierung will sich mit 35 Prozent an den Kosten beteiligen.

Anwohner kritisieren die Pläne. Sie fordern ein Nachtflugverbot zwischen 23 und 6 Uhr und verweisen auf eine Lärmstudie der Universität."""),
]

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "news_translated.jsonl"), "w", encoding="utf-8", newline="\n") as f:
    for id_, site, original, text in RECORDS:
        f.write(json.dumps({"id": id_, "site": site, "original": original, "text": text}, ensure_ascii=False) + "\n")
print(f"wrote {len(RECORDS)} records")
