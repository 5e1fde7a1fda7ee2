# A trailing backslash would join the next line of the generated unit.
[App]
Source=https://releases.example.com/continued/
Exec=bin/continued

[Service]
Environment=A=1 \
User=nobody
