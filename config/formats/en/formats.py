# English formats: Django's, but the time on a 24-hour clock, as the city reads it ("Nov. 21, 2026, 18:00"):
# "6 p.m." would also end a sentence in "p.m..".
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
