# A Go app: built by a gobuild service from the module proxy's versions. The Go keys concern only the
# daemon; the units are those of any app, running the binary upkeep stages under the app's name.
[App]
Description=mox tools
Source=go:github.com/mjl-/moxtools
Exec=moxtools -listen 127.0.0.1:8080
GoProxy=file:///srv/goproxy/
GoBuild=https://beta.gobuilds.org/
GoBuildKey=beta.gobuilds.org+3979319f+AReBl47t6tEkc8Hf0QGQyJxGX5Yg2RYTmZtRq6L7j2Ej

[Update]
Policy=minor
ToolchainPolicy=supported

[Service]
DynamicUser=yes
