# Parses as a NAME.app, but 25 is no hour: the generator skips it.
[App]
Source=https://releases.example.com/bad-window/
Exec=bin/bad

[Update]
Window=Mon..Fri 09..25
