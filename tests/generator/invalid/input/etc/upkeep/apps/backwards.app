[App]
Source=https://releases.example.com/backwards/
Exec=bin/backwards

[Update]
Window=22..02
