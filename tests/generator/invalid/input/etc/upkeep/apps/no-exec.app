# Refused by the parser: Exec= is required.
[App]
Source=https://releases.example.com/no-exec/
