[App]
Description=Example web service, 100% up
Source=https://releases.example.com/web/
PublicKey=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3
Exec=bin/web -listen 127.0.0.1:8080 -name %i

[Update]
Policy=minor
Window=Mon..Fri 09..17
Delay=72h
Jitter=30min
Keep=4
TrialSec=10s
# Run by upkeepd around a switch; nothing of them goes into units.
InstallHook=bin/migrate --from "$UPKEEP_OLD_VERSION"
InstallHook=/usr/local/bin/warm-cache
HealthCheck=bin/check --quick

[Service]
DynamicUser=yes
Environment=WEB_MODE=production
Environment="WEB_GREETING=hello world"
ProtectSystem=strict
ReadWritePaths=/srv/web/cache
ReadWritePaths=/srv/web/uploads
# An empty value resets a list setting, as in any unit.
ReadWritePaths=
ReadWritePaths=/srv/web/data
LimitNOFILE=65536
