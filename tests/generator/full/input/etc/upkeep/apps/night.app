# A window past midnight on weekends, given as two hour ranges, and a fraction of a second of jitter.
[App]
Source=file:///srv/releases/night/
Exec="bin/night job" --quiet

[Update]
Window=Fri..Sun 22..23,00..05
Jitter=2.5s
