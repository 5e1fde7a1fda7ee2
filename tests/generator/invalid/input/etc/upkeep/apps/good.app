[App]
Source=https://releases.example.com/good/
Exec=bin/good
