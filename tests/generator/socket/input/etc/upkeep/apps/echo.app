[App]
Description=Echo service
Source=https://releases.example.com/echo/
Exec=echo-server --systemd-socket

[Update]
Window=Sat,Sun 00..06
Jitter=0

[Service]
DynamicUser=yes

[Socket]
ListenStream=127.0.0.1:7777
ListenStream=[::1]:7777
NoDelay=yes
